/*
 * Debrief — the live incident room.
 *
 * Follows GET /incidents/{id}/events (Server-Sent Events) and puts every
 * committed change in its place on the page: timeline entries in timeline
 * order, the header (status, milestones, roles) and the analysis. Without
 * JavaScript, or without EventSource, the page works by reload.
 * Plain ES2017, no build step, CSP-safe (no inline handlers, no eval).
 */
(function () {
  'use strict';

  var doc = document;
  var ORDER_KEY = 'debrief.timelineOrder';
  var ROWS = ':scope > li.entry, :scope > li.change-row';
  var NEW_FOR_MS = 6000;
  var DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  var MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

  function updated(el) {
    // app.js adds local times and htmx wires up hx- attributes.
    if (window.htmx && window.htmx.process) window.htmx.process(el);
    el.dispatchEvent(new CustomEvent('debrief:updated', { bubbles: true }));
  }

  function csrfToken() {
    try {
      return JSON.parse(doc.body.getAttribute('hx-headers') || '{}')['X-CSRF-Token'] || '';
    } catch (e) {
      return '';
    }
  }

  // Fragments from the stream carry no CSRF token: it is this page's.
  function fillCSRF(root) {
    var token = csrfToken();
    var inputs = root.querySelectorAll('input[name="_csrf"]');
    for (var i = 0; i < inputs.length; i++) if (!inputs[i].value) inputs[i].value = token;
  }

  function fromHTML(html) {
    var t = doc.createElement('template');
    t.innerHTML = html.trim();
    return t.content;
  }

  /* ---------------- timeline order ---------------- */

  function list() { return doc.querySelector('#timeline ol.timeline'); }

  function orderOf() {
    var ol = list();
    return ol && ol.getAttribute('data-order') === 'oldest' ? 'oldest' : 'newest';
  }

  function key(li) {
    return [Number(li.getAttribute('data-ms')) || 0, Number(li.getAttribute('data-id')) || 0];
  }

  // before reports whether a goes above b in the list's order.
  function before(a, b, newest) {
    var ka = key(a), kb = key(b);
    var cmp = ka[0] !== kb[0] ? ka[0] - kb[0] : ka[1] - kb[1];
    return newest ? cmp > 0 : cmp < 0;
  }

  function dayLabel(ms) {
    var d = new Date(ms);
    return DAYS[d.getUTCDay()] + ' ' + d.getUTCDate() + ' ' + MONTHS[d.getUTCMonth()] + ' ' + d.getUTCFullYear() + ' (UTC)';
  }

  function dayKey(ms) { return new Date(ms).toISOString().slice(0, 10); }

  // separators puts a date line above each UTC day's entries, and keeps
  // the count and the empty-state text right.
  function separators() {
    var ol = list();
    if (!ol) return;
    var old = ol.querySelectorAll(':scope > li.date-separator');
    for (var i = 0; i < old.length; i++) old[i].remove();
    // Changes in the timeline's change lane sit among the entries by time.
    var entries = ol.querySelectorAll(ROWS);
    var last = '';
    for (var j = 0; j < entries.length; j++) {
      var ms = Number(entries[j].getAttribute('data-ms')) || 0;
      var day = dayKey(ms);
      if (day === last) continue;
      last = day;
      var li = doc.createElement('li');
      li.className = 'date-separator';
      li.setAttribute('data-day', day);
      var t = doc.createElement('time');
      t.setAttribute('datetime', day);
      t.textContent = dayLabel(ms);
      li.appendChild(t);
      ol.insertBefore(li, entries[j]);
    }
    var n = ol.querySelectorAll(':scope > li.entry').length;
    ol.hidden = entries.length === 0;
    var count = doc.querySelector('#timeline .timeline-count');
    if (count) {
      count.textContent = n + (n === 1 ? ' entry.' : ' entries.');
      count.hidden = n === 0;
    }
    var empty = doc.querySelector('#timeline p.empty');
    if (empty) empty.hidden = n > 0;
  }

  function applyOrder(order) {
    var ol = list();
    if (!ol) return;
    var entries = Array.prototype.slice.call(ol.querySelectorAll(ROWS));
    var newest = order === 'newest';
    entries.sort(function (a, b) { return before(a, b, newest) ? -1 : 1; });
    entries.forEach(function (li) { ol.appendChild(li); });
    ol.setAttribute('data-order', order);
    separators();
    var p = doc.querySelector('.timeline-order');
    if (p) {
      var other = newest ? 'oldest' : 'newest';
      p.textContent = (newest ? 'Newest first' : 'Oldest first') + ' · ';
      var a = doc.createElement('a');
      a.href = '?order=' + other + '#timeline-heading';
      a.setAttribute('data-order', other);
      a.textContent = 'show ' + other + ' first';
      p.appendChild(a);
    }
  }

  function preferredOrder() {
    try { return localStorage.getItem(ORDER_KEY); } catch (e) { return null; }
  }

  doc.addEventListener('click', function (evt) {
    var a = evt.target.closest && evt.target.closest('.timeline-order a[data-order]');
    if (!a) return;
    evt.preventDefault();
    var order = a.getAttribute('data-order');
    try { localStorage.setItem(ORDER_KEY, order); } catch (e) { /* private mode */ }
    applyOrder(order);
  });

  function keepPreferredOrder() {
    var pref = preferredOrder();
    if ((pref === 'newest' || pref === 'oldest') && pref !== orderOf()) applyOrder(pref);
  }

  // The quick entry answers with a whole new timeline, in the server's
  // default order: keep the reader's.
  doc.addEventListener('htmx:afterSettle', function (evt) {
    if (evt.target && evt.target.id === 'timeline') { keepPreferredOrder(); markNew(evt.target); }
  });

  function markNew(root) {
    var fresh = root.querySelectorAll('li.entry.is-new');
    for (var i = 0; i < fresh.length; i++) fadeNew(fresh[i]);
  }

  function fadeNew(li) {
    li.classList.add('is-new');
    setTimeout(function () { li.classList.remove('is-new'); }, NEW_FOR_MS);
  }

  /* ---------------- applying events ---------------- */

  function upsertEntry(html) {
    var ol = list();
    if (!ol) return;
    var li = fromHTML(html).firstElementChild;
    if (!li) return;
    var old = doc.getElementById(li.id);
    if (old) {
      // An edit: keep its open history, if the reader opened it.
      old.remove();
    }
    var newest = orderOf() === 'newest';
    var entries = ol.querySelectorAll(ROWS);
    var at = null;
    for (var i = 0; i < entries.length; i++) {
      if (before(li, entries[i], newest)) { at = entries[i]; break; }
    }
    ol.insertBefore(li, at);
    separators();
    fadeNew(li);
    updated(li);
  }

  function removeEntry(id) {
    var li = doc.getElementById('entry-' + id);
    if (li) li.remove();
    separators();
  }

  // busy reports whether the reader is working inside el: focus in it, or
  // a form in it with text they typed. A live update must not take that
  // away; it waits behind a notice instead.
  function busy(el) {
    if (el.contains(doc.activeElement) && doc.activeElement !== doc.body) return true;
    var fields = el.querySelectorAll('textarea, input[type="text"], input:not([type]), input[type="url"], input[type="date"]');
    for (var i = 0; i < fields.length; i++) {
      if (fields[i].value !== fields[i].defaultValue) return true;
    }
    return false;
  }

  var pending = {};

  function replaceSection(id, html, what) {
    var el = doc.getElementById(id);
    if (!el) return;
    if (busy(el)) {
      pending[id] = html;
      notice(el, id, what);
      return;
    }
    swap(el, html);
  }

  function swap(el, html) {
    delete pending[el.id];
    var n = el.querySelector(':scope > .live-notice');
    if (n) n.remove();
    el.innerHTML = html;
    fillCSRF(el);
    updated(el);
    el.classList.add('is-updated');
    setTimeout(function () { el.classList.remove('is-updated'); }, NEW_FOR_MS);
  }

  // The reader's own save answers with a fresh copy of the section, often
  // after the same change arrived live and waited behind a notice because
  // the form still held their text. Once the answer is in and they are not
  // busy there any more, the waiting update goes in and the notice goes:
  // it is the latest one received, so anything newer than it is still to
  // come and replaces it in turn.
  doc.addEventListener('htmx:afterSettle', function (evt) {
    Object.keys(pending).forEach(function (id) {
      var el = doc.getElementById(id);
      if (el && el.contains(evt.target) && !busy(el)) swap(el, pending[id]);
    });
  });

  function notice(el, id, what) {
    if (el.querySelector(':scope > .live-notice')) return;
    var p = doc.createElement('p');
    p.className = 'live-notice';
    p.setAttribute('role', 'status');
    p.textContent = what + ' changed while you were editing. ';
    var b = doc.createElement('button');
    b.type = 'button';
    b.className = 'small';
    b.textContent = 'Show the changes (discards what you typed here)';
    b.addEventListener('click', function () { if (pending[id]) swap(el, pending[id]); });
    p.appendChild(b);
    el.insertBefore(p, el.firstChild);
  }

  function presence(names) {
    var el = doc.querySelector('#live .presence');
    if (!el) return;
    el.textContent = names && names.length ? 'Here: ' + names.join(', ') : '';
  }

  /* ---------------- the stream ---------------- */

  function start() {
    var bar = doc.getElementById('live');
    if (!bar || !window.EventSource) return;
    bar.hidden = false;
    var status = bar.querySelector('.live-status');
    var id = bar.getAttribute('data-incident');
    var url = '/incidents/' + encodeURIComponent(id) + '/events?last_event_id=' +
      encodeURIComponent(bar.getAttribute('data-last-event-id') || '0');
    var es = new EventSource(url);

    function setStatus(live) {
      status.textContent = live ? 'live' : 'reconnecting…';
      bar.classList.toggle('is-live', live);
      bar.setAttribute('data-state', live ? 'live' : 'reconnecting');
    }

    function on(type, fn) {
      es.addEventListener(type, function (evt) {
        var data;
        try { data = JSON.parse(evt.data); } catch (e) { return; }
        setStatus(true);
        fn(data);
      });
    }

    es.addEventListener('open', function () { setStatus(true); });
    es.addEventListener('error', function () { setStatus(false); });
    on('entry', function (d) {
      if (d.action === 'deleted') removeEntry(d.entity_id);
      else if (d.html) upsertEntry(d.html);
    });
    on('incident', function (d) {
      if (d.action === 'deleted') { window.location.reload(); return; }
      if (d.html) replaceSection('incident-live', d.html, 'The incident');
    });
    on('analysis', function (d) {
      if (d.html) replaceSection('analysis-live', d.html, 'The analysis');
    });
    on('presence', function (d) { presence(d.names); });
    on('reset', function () {
      es.close();
      // Reload to catch up, but never in a loop: a second reset within a
      // minute leaves the page as it is and says so.
      var key = 'debrief.reset.' + id;
      var last = 0;
      try { last = Number(sessionStorage.getItem(key)) || 0; } catch (e) { /* ignore */ }
      if (Date.now() - last < 60000) {
        setStatus(false);
        status.textContent = 'not live — reload the page to catch up';
        return;
      }
      try { sessionStorage.setItem(key, String(Date.now())); } catch (e) { /* ignore */ }
      window.location.reload();
    });
    window.addEventListener('pagehide', function () { es.close(); });
  }

  /* ---------------- the scribe's entry box ---------------- */

  // Enter in the Time box moves on to "What happened" instead of saving.
  doc.addEventListener('keydown', function (evt) {
    var t = evt.target;
    if (evt.key !== 'Enter' || !t || t.name !== 'at' || !t.form || t.form.id !== 'quick-entry') return;
    if (evt.isComposing) return;
    evt.preventDefault();
    var body = t.form.querySelector('textarea[name="body"]');
    if (body) body.focus();
  });

  function onReady() {
    keepPreferredOrder();
    markNew(doc);
    start();
  }

  if (doc.readyState === 'loading') doc.addEventListener('DOMContentLoaded', onReady);
  else onReady();
})();
