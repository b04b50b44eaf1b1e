/* Debrief — meeting mode of the weekly review.
 *
 * /review?present=1 shows one section per screen. Arrow keys, Page Up/Down
 * and Space (Shift+Space back) move between sections, Home and End jump to
 * the first and last; the position shows as "2 / 7 · Incidents" and in the
 * address (#section-incidents), so a reload or a saved form comes back to
 * the same section. Keys typed into a field stay in the field (Escape
 * leaves it). Without JavaScript the sections simply follow each other.
 *
 * On every review page, unsaved minutes warn before the page is left.
 */
(function () {
  'use strict';

  var doc = document;

  // isTyping: keys belong to a field that takes text or a choice.
  function isTyping(el) {
    if (!el || el === doc.body) return false;
    if (el.isContentEditable) return true;
    var tag = el.tagName;
    if (tag === 'INPUT') return !/^(button|submit|reset|checkbox|radio)$/i.test(el.type || '');
    return tag === 'TEXTAREA' || tag === 'SELECT';
  }

  // isControl: Space (and Enter) press a focused button or link.
  function isControl(el) {
    if (!el || el === doc.body) return false;
    var tag = el.tagName;
    return tag === 'BUTTON' || tag === 'A' || tag === 'SUMMARY' || tag === 'INPUT';
  }

  function setupSlides(root) {
    var slides = Array.prototype.slice.call(root.querySelectorAll('.slide'));
    if (slides.length === 0) return;
    var position = doc.getElementById('slide-position');
    var current = -1;

    // slideOf returns the index of the slide that is, or holds, the
    // element with id, or -1.
    function slideOf(id) {
      var el = id ? doc.getElementById(id) : null;
      if (!el) return -1;
      for (var i = 0; i < slides.length; i++) {
        if (slides[i] === el || slides[i].contains(el)) return i;
      }
      return -1;
    }

    function indexOfHash() {
      var id = (location.hash || '').slice(1);
      try {
        id = decodeURIComponent(id);
      } catch (e) {
        return 0; // a malformed fragment (#%) is no section
      }
      return Math.max(0, slideOf(id));
    }

    function show(i) {
      i = Math.max(0, Math.min(slides.length - 1, i));
      if (i === current) return;
      current = i;
      for (var j = 0; j < slides.length; j++) {
        var on = j === i;
        slides[j].classList.toggle('is-current', on);
        slides[j].setAttribute('aria-hidden', on ? 'false' : 'true');
      }
      if (position) {
        position.textContent = (i + 1) + ' / ' + slides.length + ' · ' + (slides[i].getAttribute('data-title') || '');
      }
      if (history.replaceState) history.replaceState(null, '', '#' + slides[i].id);
      window.scrollTo(0, 0);
    }

    show(indexOfHash());
    root.classList.add('js-slides'); // only now: a slide is current

    doc.addEventListener('keydown', function (evt) {
      if (evt.defaultPrevented || evt.altKey || evt.ctrlKey || evt.metaKey || evt.isComposing) return;
      if (isTyping(evt.target)) {
        if (evt.key === 'Escape' && evt.target.blur) evt.target.blur();
        return;
      }
      var to = null;
      switch (evt.key) {
        case 'ArrowRight':
        case 'ArrowDown':
        case 'PageDown':
          to = current + 1;
          break;
        case 'ArrowLeft':
        case 'ArrowUp':
        case 'PageUp':
          to = current - 1;
          break;
        case ' ':
        case 'Spacebar':
          if (isControl(evt.target)) return;
          to = evt.shiftKey ? current - 1 : current + 1;
          break;
        case 'Home':
          to = 0;
          break;
        case 'End':
          to = slides.length - 1;
          break;
        default:
          return;
      }
      evt.preventDefault();
      show(to);
    });

    var prev = doc.getElementById('slide-prev');
    var next = doc.getElementById('slide-next');
    if (prev) prev.addEventListener('click', function () { show(current - 1); });
    if (next) next.addEventListener('click', function () { show(current + 1); });

    // Links within the review (the overview's tiles, the footnotes) move
    // to the section that holds their target.
    root.addEventListener('click', function (evt) {
      var a = evt.target.closest ? evt.target.closest('a[href^="#"]') : null;
      if (!a) return;
      var id = a.getAttribute('href').slice(1);
      var i = slideOf(id);
      if (i < 0) return;
      evt.preventDefault();
      show(i);
      var target = doc.getElementById(id);
      if (target !== slides[i] && target.scrollIntoView) target.scrollIntoView({ block: 'center' });
    });
    window.addEventListener('hashchange', function () { show(indexOfHash()); });
  }

  function setupUnsavedWarning() {
    var form = doc.getElementById('minutes-form');
    if (!form) return;
    var dirty = false;
    doc.addEventListener('input', function (evt) {
      var t = evt.target;
      if (t && t.getAttribute && t.getAttribute('form') === 'minutes-form') dirty = true;
    });
    form.addEventListener('submit', function () { dirty = false; });
    window.addEventListener('beforeunload', function (evt) {
      if (!dirty) return undefined;
      evt.preventDefault();
      evt.returnValue = '';
      return '';
    });
  }

  function onReady() {
    var root = doc.querySelector('.review.present');
    if (root) setupSlides(root);
    setupUnsavedWarning();
  }

  if (doc.readyState === 'loading') {
    doc.addEventListener('DOMContentLoaded', onReady);
  } else {
    onReady();
  }
})();
