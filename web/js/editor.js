/*
 * Debrief — the postmortem editor (#pm-editor).
 *
 * Nothing typed is lost: every section's text is kept in this browser
 * (localStorage) as it is typed, until the page shows it saved; leaving the
 * page with unsaved text asks first. A Write / Preview tab per section shows
 * the Markdown as the published postmortem will (rendered by the server).
 * Plain ES2017, no build step, CSP-safe. Without JavaScript the form saves
 * as it is.
 */
(function () {
  'use strict';

  var doc = document;
  var form = null;
  var submitting = false;

  function storageKey(ta) {
    return 'debrief.pm.' + form.getAttribute('data-incident') + '.' + ta.getAttribute('data-section');
  }

  function loadedOf(ta) {
    var el = form.querySelector('input[name="loaded_' + ta.getAttribute('data-section') + '"]');
    return el ? el.value : '';
  }

  function readDraft(ta) {
    try {
      var raw = localStorage.getItem(storageKey(ta));
      return raw ? JSON.parse(raw) : null;
    } catch (e) {
      return null;
    }
  }

  function writeDraft(ta) {
    try {
      if (ta.value === ta.defaultValue) localStorage.removeItem(storageKey(ta));
      else localStorage.setItem(storageKey(ta), JSON.stringify({ body: ta.value, loaded: loadedOf(ta), at: Date.now() }));
    } catch (e) { /* storage full or off: the page still warns before leaving */ }
  }

  function dirty() {
    var n = 0;
    form.querySelectorAll('textarea[data-section]').forEach(function (ta) {
      if (ta.value !== ta.defaultValue) n++;
    });
    return n;
  }

  function showDirty() {
    var el = form.querySelector('.pm-dirty');
    if (!el) return;
    var n = dirty();
    el.textContent = n ? n + (n === 1 ? ' section' : ' sections') + ' not saved yet (kept in this browser)' : '';
  }

  function notice(ta, text, buttonText, onClick) {
    var p = doc.createElement('p');
    p.className = 'live-notice draft-notice';
    p.setAttribute('role', 'status');
    p.textContent = text + ' ';
    var b = doc.createElement('button');
    b.type = 'button';
    b.className = 'small';
    b.textContent = buttonText;
    b.addEventListener('click', function () { onClick(); p.remove(); showDirty(); });
    p.appendChild(b);
    ta.parentNode.insertBefore(p, ta);
  }

  function clock(ms) {
    var d = new Date(ms);
    return d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  }

  // restore brings back text typed here and not saved (a reload, a crash,
  // a click away).
  function restore(ta) {
    var d = readDraft(ta);
    if (!d || typeof d.body !== 'string') return;
    if (d.body === ta.defaultValue) { // saved since: forget it
      try { localStorage.removeItem(storageKey(ta)); } catch (e) { /* ignore */ }
      return;
    }
    if (ta.value !== ta.defaultValue) return; // the server shows unsaved text of its own
    if (d.loaded === loadedOf(ta)) {
      ta.value = d.body;
      notice(ta, 'Restored what you typed here at ' + clock(d.at) + ', not saved yet.', 'Discard it', function () {
        ta.value = ta.defaultValue;
        writeDraft(ta);
      });
      return;
    }
    // Someone saved this section after you started: do not replace theirs
    // silently.
    notice(ta, 'You typed text here at ' + clock(d.at) + ' that was not saved, and someone has saved this section since.', 'Put my text in the box', function () {
      ta.value = d.body;
      writeDraft(ta);
    });
  }

  function tabs(section) {
    var bar = section.querySelector('.pm-tabs');
    if (!bar) return;
    bar.hidden = false;
    var ta = section.querySelector('textarea[data-section]');
    var preview = section.querySelector('.pm-preview');
    bar.addEventListener('click', function (evt) {
      var b = evt.target.closest('button[data-tab]');
      if (!b) return;
      var showPreview = b.getAttribute('data-tab') === 'preview';
      bar.querySelectorAll('button[data-tab]').forEach(function (x) {
        x.setAttribute('aria-selected', String(x === b));
      });
      ta.hidden = showPreview;
      preview.hidden = !showPreview;
      if (!showPreview) ta.focus();
    });
  }

  function start() {
    form = doc.getElementById('pm-editor');
    if (!form) return;
    var timers = {};
    form.querySelectorAll('textarea[data-section]').forEach(function (ta) {
      restore(ta);
      ta.addEventListener('input', function () {
        var k = ta.getAttribute('data-section');
        clearTimeout(timers[k]);
        timers[k] = setTimeout(function () { writeDraft(ta); showDirty(); }, 300);
      });
    });
    form.querySelectorAll('.pm-section').forEach(tabs);
    form.addEventListener('submit', function () {
      form.querySelectorAll('textarea[data-section]').forEach(writeDraft);
      submitting = true;
    });
    window.addEventListener('beforeunload', function (evt) {
      if (submitting || !dirty()) return;
      form.querySelectorAll('textarea[data-section]').forEach(writeDraft);
      evt.preventDefault();
      evt.returnValue = '';
    });
    showDirty();
  }

  if (doc.readyState === 'loading') doc.addEventListener('DOMContentLoaded', start);
  else start();
})();
