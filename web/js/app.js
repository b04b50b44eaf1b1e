/*
 * Debrief — small progressive enhancements.
 *
 * Plain ES2017, no build step, CSP-safe (no inline handlers, no eval).
 * Works with or without htmx; loaded with `defer` after htmx.min.js.
 */
(function () {
  'use strict';

  var doc = document;

  /* ------------------------------------------------------------------ *
   * d. htmx configuration (must run before htmx's DOMContentLoaded init)
   * ------------------------------------------------------------------ */
  var htmx = window.htmx;
  if (htmx && htmx.config) {
    htmx.config.responseHandling = [
      { code: '204', swap: false },
      { code: '[23]..', swap: true },
      { code: '422', swap: true, error: false },
      { code: '409', swap: true, error: false },
      { code: '[45]..', swap: false, error: true },
      { code: '...', swap: false }
    ];
    htmx.config.allowEval = false;
    htmx.config.includeIndicatorStyles = false;
  }

  /* ------------------------------------------------------------------ *
   * a. Local time next to UTC instants
   * ------------------------------------------------------------------ */
  var viewerZone = '';
  try {
    viewerZone = Intl.DateTimeFormat().resolvedOptions().timeZone || '';
  } catch (e) {
    viewerZone = '';
  }
  var zoneIsUTC = /^(UTC|UCT|GMT|Etc\/.*|Universal|Zulu)$/i.test(viewerZone);

  var timeFmt = null;
  var dateFmt = null;
  var fullFmt = null;
  try {
    timeFmt = new Intl.DateTimeFormat(undefined, {
      hour: '2-digit', minute: '2-digit', second: '2-digit',
      hourCycle: 'h23', timeZoneName: 'short'
    });
    dateFmt = new Intl.DateTimeFormat(undefined, {
      weekday: 'short', day: 'numeric', month: 'short'
    });
    fullFmt = new Intl.DateTimeFormat(undefined, {
      weekday: 'long', year: 'numeric', month: 'long', day: 'numeric',
      hour: '2-digit', minute: '2-digit', second: '2-digit',
      hourCycle: 'h23', timeZoneName: 'short'
    });
  } catch (e) {
    timeFmt = null;
  }

  function partsOf(fmt, d) {
    var out = {};
    fmt.formatToParts(d).forEach(function (p) {
      if (p.type !== 'literal' && !(p.type in out)) out[p.type] = p.value;
    });
    return out;
  }

  // "15:32:05 CET" — assembled from parts so the layout is stable across locales.
  function localClock(d) {
    var p = partsOf(timeFmt, d);
    if (!p.hour || !p.minute || !p.second) return timeFmt.format(d);
    var s = p.hour + ':' + p.minute + ':' + p.second;
    if (p.timeZoneName) s += ' ' + p.timeZoneName;
    return s;
  }

  // "Sun 22 Nov"
  function localDay(d) {
    var p = partsOf(dateFmt, d);
    if (!p.weekday || !p.day || !p.month) return dateFmt.format(d);
    return p.weekday + ' ' + p.day + ' ' + p.month;
  }

  function localizeTimes(root) {
    if (!timeFmt || !root || !root.querySelectorAll) return;
    var list = [];
    if (root.matches && root.matches('time[datetime]')) list.push(root);
    var found = root.querySelectorAll('time[datetime]:not([data-local-done])');
    for (var i = 0; i < found.length; i++) list.push(found[i]);

    list.forEach(function (el) {
      if (el.hasAttribute('data-local-done')) return;
      var raw = el.getAttribute('datetime') || '';
      if (raw.indexOf('T') === -1) return; // a date, not an instant
      el.setAttribute('data-local-done', '1');

      var d = new Date(raw);
      if (isNaN(d.getTime())) return;

      // Viewer is on UTC itself: the server-rendered UTC time says it all.
      if (d.getTimezoneOffset() === 0 && zoneIsUTC) return;

      var sameDay = d.getFullYear() === d.getUTCFullYear() &&
        d.getMonth() === d.getUTCMonth() &&
        d.getDate() === d.getUTCDate();

      var text;
      try {
        text = (sameDay ? '' : localDay(d) + ' ') + localClock(d);
      } catch (e) {
        return;
      }

      var span = doc.createElement('span');
      span.className = 'local-time';
      span.textContent = '(' + text + ')';
      var title = fullFmt ? fullFmt.format(d) : d.toString();
      if (viewerZone) title += ' — ' + viewerZone;
      span.title = title;

      if (el.parentNode) {
        el.parentNode.insertBefore(doc.createTextNode(' '), el.nextSibling);
        el.parentNode.insertBefore(span, el.nextSibling.nextSibling);
      }
    });
  }

  /* ------------------------------------------------------------------ *
   * b. Confirmation for destructive actions
   * ------------------------------------------------------------------ */
  var CONFIRM_CLICK = 'button[data-confirm], input[type="submit"][data-confirm], a[data-confirm]';
  // Submit buttons whose click was just confirmed, so the form's own
  // data-confirm does not ask a second time for the same action.
  var confirmedSubmitter = null;

  function askConfirm(el) {
    var q = el.getAttribute('data-confirm');
    if (!q) return true;
    return window.confirm(q);
  }

  function stop(evt) {
    evt.preventDefault();
    evt.stopPropagation();
    evt.stopImmediatePropagation();
  }

  // Capture phase on document: runs before htmx's listeners on the element,
  // so a refused action never reaches htmx (or the browser).
  doc.addEventListener('click', function (evt) {
    if (evt.button !== undefined && evt.button !== 0) return;
    var t = evt.target;
    if (!t || !t.closest) return;
    var el = t.closest(CONFIRM_CLICK);
    if (!el || el.disabled) return;
    if (!askConfirm(el)) {
      stop(evt);
      return;
    }
    if (el.form && (el.type === 'submit' || (el.tagName === 'BUTTON' && !el.getAttribute('type')))) {
      confirmedSubmitter = el;
      setTimeout(function () { confirmedSubmitter = null; }, 0);
    }
  }, true);

  doc.addEventListener('submit', function (evt) {
    var form = evt.target;
    if (!form || !form.matches || !form.matches('form[data-confirm]')) return;
    var sub = evt.submitter || null;
    if (sub && sub === confirmedSubmitter && sub.hasAttribute('data-confirm')) {
      confirmedSubmitter = null;
      return; // already asked on click
    }
    if (!askConfirm(form)) stop(evt);
  }, true);

  // Other htmx-driven elements (e.g. hx-trigger="change") carrying data-confirm.
  doc.addEventListener('htmx:confirm', function (evt) {
    var d = evt.detail || {};
    var el = d.elt;
    if (!el || !el.hasAttribute || !el.hasAttribute('data-confirm')) return;
    var trig = d.triggeringEvent;
    if (trig && (trig.type === 'submit' || trig.type === 'click') &&
        el.matches && el.matches('form, ' + CONFIRM_CLICK)) {
      return; // handled by the native listeners above
    }
    evt.preventDefault();
    if (askConfirm(el) && typeof d.issueRequest === 'function') {
      d.issueRequest(true);
    }
  });

  /* ------------------------------------------------------------------ *
   * c. Timeline quick entry
   * ------------------------------------------------------------------ */
  function quickForm() {
    return doc.getElementById('quick-entry');
  }

  function quickBody(form) {
    form = form || quickForm();
    return form ? form.querySelector('textarea[name="body"]') : null;
  }

  function submitForm(form) {
    if (form.classList.contains('htmx-request')) return; // already in flight
    if (typeof form.requestSubmit === 'function') {
      form.requestSubmit();
      return;
    }
    var btn = form.querySelector('button[type="submit"], button:not([type]), input[type="submit"]');
    if (btn) btn.click();
    else form.submit();
  }

  doc.addEventListener('keydown', function (evt) {
    var t = evt.target;
    if (!t || t.tagName !== 'TEXTAREA' || t.name !== 'body') return;
    var form = t.form;
    if (!form || form.id !== 'quick-entry') return;
    if (evt.key !== 'Enter') return;
    if (evt.isComposing || evt.keyCode === 229) return; // IME composition
    var mod = evt.ctrlKey || evt.metaKey;
    if (evt.shiftKey && !mod) return; // newline
    if (evt.altKey && !mod) return;
    evt.preventDefault();
    submitForm(form);
  });

  function resetQuickEntry(form) {
    var body = quickBody(form);
    if (body) body.value = '';
    var at = form.querySelector('input[name="at"]');
    if (at) at.value = '';
    var ev = form.querySelector('input[name="evidence_url"]');
    if (ev) ev.value = '';
    var ll = form.querySelector('input[name="learned_later"]');
    if (ll) ll.checked = false;
    // Kind goes back to observation after each save, unless pinned.
    var pin = form.querySelector('input[name="pin_kind"]');
    var kind = form.querySelector('select[name="kind"]');
    if (kind && !(pin && pin.checked)) kind.value = 'observation';
    var prev = doc.getElementById('at-preview');
    if (prev) prev.textContent = '';
    // After a rejected save the server re-rendered the form with its
    // messages; only #timeline is swapped on success, so clear them here.
    var stale = form.querySelectorAll('.flash.error, .field .error');
    for (var i = 0; i < stale.length; i++) stale[i].parentNode.removeChild(stale[i]);
    var invalid = form.querySelectorAll('.invalid');
    for (var j = 0; j < invalid.length; j++) invalid[j].classList.remove('invalid');
    if (body) body.focus();
  }

  doc.addEventListener('htmx:afterRequest', function (evt) {
    var d = evt.detail || {};
    if (!d.successful) return;
    var xhr = d.xhr;
    // 422/409 are "successful" for htmx (re-rendered in place) but not saved.
    if (xhr && (xhr.status < 200 || xhr.status >= 300)) return;
    // Ignore e.g. hx-get previews fired from inputs inside the form.
    var verb = d.requestConfig && d.requestConfig.verb;
    if (verb && String(verb).toLowerCase() === 'get') return;
    var form = quickForm();
    var elt = d.elt;
    if (!form || !elt || !(elt === form || form.contains(elt))) return;
    resetQuickEntry(form);
  });

  /* ------------------------------------------------------------------ *
   * d. htmx error messages
   * ------------------------------------------------------------------ */
  function flash(msg, kind) {
    var el = doc.getElementById('flash');
    if (!el) return;
    el.textContent = msg;
    el.className = 'flash ' + (kind || 'error');
    el.setAttribute('data-app-flash', '1');
    if (!el.hasAttribute('role')) el.setAttribute('role', 'alert');
    el.hidden = false;
  }

  doc.addEventListener('htmx:responseError', function (evt) {
    var xhr = evt.detail && evt.detail.xhr;
    var status = xhr && xhr.status ? xhr.status : '?';
    flash('Could not save: server answered ' + status, 'error');
  });

  doc.addEventListener('htmx:sendError', function () {
    flash('Could not reach the server — your text is still here', 'error');
  });

  doc.addEventListener('htmx:timeout', function () {
    flash('The server took too long to answer — your text is still here', 'error');
  });

  // Clear a message we put there once the next request goes out.
  doc.addEventListener('htmx:beforeRequest', function () {
    var el = doc.getElementById('flash');
    if (el && el.getAttribute('data-app-flash') === '1') {
      el.textContent = '';
      el.removeAttribute('data-app-flash');
      el.className = 'flash';
      el.hidden = true;
    }
  });

  /* ------------------------------------------------------------------ *
   * e. Keyboard: "/" jumps to the quick-entry textarea
   * ------------------------------------------------------------------ */
  function isTyping(el) {
    if (!el || el === doc.body) return false;
    if (el.isContentEditable) return true;
    var tag = el.tagName;
    return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT';
  }

  doc.addEventListener('keydown', function (evt) {
    if (evt.key !== '/' || evt.ctrlKey || evt.metaKey || evt.altKey) return;
    if (evt.isComposing || evt.defaultPrevented) return;
    if (isTyping(evt.target) || isTyping(doc.activeElement)) return;
    var body = quickBody();
    if (!body) return;
    evt.preventDefault();
    body.focus();
    var n = body.value.length;
    try { body.setSelectionRange(n, n); } catch (e) { /* ignore */ }
  });

  /* ------------------------------------------------------------------ *
   * Wiring
   * ------------------------------------------------------------------ */
  function onReady() {
    localizeTimes(doc.body);
    pasteChat();
  }

  if (doc.readyState === 'loading') {
    doc.addEventListener('DOMContentLoaded', onReady);
  } else {
    onReady();
  }

  /* ------------------------------------------------------------------ *
   * f. Paste chat: the chat's zone defaults to the browser's; the add
   *    button counts the rows still kept.
   * ------------------------------------------------------------------ */
  function pasteChat() {
    var zone = doc.querySelector('input[data-browser-zone]');
    var text = doc.getElementById('text');
    if (zone && viewerZone && (zone.value === '' || zone.value === 'UTC') && text && text.value === '') {
      zone.value = viewerZone;
    }
  }
  doc.addEventListener('change', function (evt) {
    var t = evt.target;
    if (!t || !t.name || t.name.indexOf('keep_') !== 0) return;
    var form = t.form;
    var btn = form && form.querySelector('[data-add-count]');
    if (!btn) return;
    var n = form.querySelectorAll('input[name^="keep_"]:checked').length;
    btn.textContent = 'Add ' + n + (n === 1 ? ' entry' : ' entries');
    btn.disabled = n === 0;
  });

  // live.js changed part of the page.
  doc.addEventListener('debrief:updated', function (evt) {
    if (evt.target && evt.target.nodeType === 1) localizeTimes(evt.target);
  });

  doc.addEventListener('htmx:afterSettle', function (evt) {
    var t = evt.target;
    if (t && t.nodeType === 1 && t.isConnected) localizeTimes(t);
    else localizeTimes(doc.body);
  });
})();
