// Live pages (dashboards, a person's score): polls the JSON of [data-live-url] every 5 s (sending
// back the ETag it last received, so an unchanged unit costs a 304) and
// swaps in what changed: server-rendered fragments for [data-live-html] regions, then plain
// values for [data-live] cells. No reload, no inline script (CSP: script-src 'self').
(function () {
  "use strict";
  var INTERVAL = 5000;
  var boxes = document.querySelectorAll("[data-live-url]");
  if (!boxes.length) { return; }

  function apply(box, data) {
    var html = data.html || {};
    Object.keys(html).forEach(function (key) {
      var region = box.querySelector('[data-live-html="' + key + '"]');
      if (region && region.getAttribute("data-live-last") !== html[key]) {
        region.innerHTML = html[key];
        region.setAttribute("data-live-last", html[key]);
      }
    });
    var values = data.values || {};
    Object.keys(values).forEach(function (key) {
      var cells = box.querySelectorAll('[data-live="' + key + '"]');
      Array.prototype.forEach.call(cells, function (cell) {
        var text = String(values[key]);
        if (cell.textContent !== text) { cell.textContent = text; }
      });
    });
    var stamp = document.querySelector("[data-live-stamp]");
    if (stamp) { stamp.textContent = new Date().toLocaleTimeString(document.documentElement.lang || "vi"); }
  }

  function poll(box) {
    var url = box.getAttribute("data-live-url");
    var headers = { "Accept": "application/json" };
    // The server answers 304 (no body, nothing to do) while the unit's data have not changed.
    var etag = box.getAttribute("data-live-etag");
    if (etag) { headers["If-None-Match"] = etag; }
    fetch(url, { credentials: "same-origin", headers: headers })
      .then(function (response) {
        if (response.status !== 200) { return null; }
        var tag = response.headers.get("ETag");
        if (tag) { box.setAttribute("data-live-etag", tag); }
        return response.json();
      })
      .then(function (data) { if (data) { apply(box, data); } })
      .catch(function () { /* a missed poll is retried at the next tick */ })
      .then(function () { window.setTimeout(function () { poll(box); }, INTERVAL); });
  }

  Array.prototype.forEach.call(boxes, function (box) {
    window.setTimeout(function () { poll(box); }, INTERVAL);
  });
})();
