/*
 * rali site: the few lines of script of the pages. Nothing is lost without them: the talk's time
 * stays in the series' zone, and the search page says how to browse by year.
 * 1. Under a talk's time, the same time in the visitor's own zone when it differs.
 * 2. The search page queries the static index that rali site makes with Pagefind (pagefind/).
 */
(function () {
  'use strict';
  var lang = document.documentElement.lang || 'en';

  var zones = document.querySelectorAll('.localtime[data-start][data-zone]');
  for (var i = 0; i < zones.length; i++) {
    try {
      var el = zones[i];
      var start = new Date(el.getAttribute('data-start'));
      var end = new Date(el.getAttribute('data-end'));
      var mine = Intl.DateTimeFormat().resolvedOptions().timeZone;
      var wall = function (zone) {
        return new Intl.DateTimeFormat(lang, { dateStyle: 'full', timeStyle: 'short', timeZone: zone }).format(start);
      };
      if (!mine || wall(mine) === wall(el.getAttribute('data-zone'))) continue;
      var f = new Intl.DateTimeFormat(lang, { dateStyle: 'full', timeStyle: 'short', timeZone: mine });
      var text = f.formatRange ? f.formatRange(start, end) : f.format(start);
      var name = new Intl.DateTimeFormat(lang, { timeZone: mine, timeZoneName: 'long' }).formatToParts(start).filter(function (p) {
        return p.type === 'timeZoneName';
      })[0];
      el.textContent = el.getAttribute('data-label') + ' ' + text + (name ? ' (' + name.value + ')' : '');
      el.hidden = false;
    } catch (e) {
      /* an old browser: the series' time is there */
    }
  }

  var form = document.querySelector('form[data-pagefind]');
  if (!form) return;
  var input = form.querySelector('input[name=q]');
  var status = document.getElementById('search-status');
  var list = document.getElementById('search-results');
  var root = form.getAttribute('data-root');
  var loading;
  // Two bundles: this year's talks (pagefind/) and the earlier years' (pagefind-archive/), merged.
  var load = function () {
    var archive = form.getAttribute('data-archive');
    return (loading =
      loading ||
      import(new URL(form.getAttribute('data-pagefind') + 'pagefind.js', location.href).href).then(function (pagefind) {
        return archive
          ? pagefind.mergeIndex(new URL(archive, location.href).href).then(function () {
              return pagefind;
            })
          : pagefind;
      }));
  };
  var node = function (tag, cls, text) {
    var n = document.createElement(tag);
    if (cls) n.className = cls;
    if (text) n.textContent = text;
    return n;
  };
  // Pagefind's excerpt is the record's text with <mark> around the words found: rebuilt as text
  // and <mark> elements, never given to innerHTML.
  var excerpt = function (html) {
    var p = node('p', 'excerpt');
    var body = new DOMParser().parseFromString('<p>' + html + '</p>', 'text/html').body.firstChild;
    for (var c = body ? body.firstChild : null; c; c = c.nextSibling)
      p.appendChild(c.nodeName === 'MARK' ? node('mark', '', c.textContent) : document.createTextNode(c.textContent));
    return p;
  };
  var run = function (q) {
    history.replaceState(null, '', '?q=' + encodeURIComponent(q));
    load()
      .then(function (pagefind) {
        return pagefind.search(q);
      })
      .then(function (found) {
        return Promise.all(
          found.results.slice(0, 50).map(function (r) {
            return r.data();
          }),
        ).then(function (pages) {
          list.textContent = '';
          pages.forEach(function (d) {
            var li = node('li', 'talk');
            var h = node('h2', 'title');
            var a = node('a', '', d.meta.title);
            a.href = root + d.url.replace(/^\/+/, '');
            h.appendChild(a);
            li.appendChild(node('p', 'when', d.meta.date || ''));
            li.appendChild(h);
            li.appendChild(node('p', 'who', d.meta.speaker || ''));
            li.appendChild(excerpt(d.excerpt || ''));
            list.appendChild(li);
          });
          var n = found.results.length;
          status.textContent = (n ? form.getAttribute('data-count') : form.getAttribute('data-none')).replace('{n}', String(n));
        });
      })
      .catch(function () {
        status.textContent = form.getAttribute('data-fail');
      });
  };
  form.addEventListener('submit', function (e) {
    e.preventDefault();
    if (input.value.trim()) run(input.value.trim());
  });
  var q = new URLSearchParams(location.search).get('q');
  if (q) {
    input.value = q;
    run(q);
  }
})();
