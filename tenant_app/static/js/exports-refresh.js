// The export list follows its running exports: while one is queued or being built, the list is
// fetched again every 3 s and swapped in place (the request form above keeps what was typed).
// Stops by itself once nothing is running. No inline script (CSP: script-src 'self').
(function () {
  "use strict";
  var INTERVAL = 3000;
  var SELECTOR = "[data-exports-live]";

  function running() {
    var box = document.querySelector(SELECTOR);
    return box && box.hasAttribute("data-exports-running");
  }

  function refresh() {
    fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html) {
          var fresh = new DOMParser().parseFromString(html, "text/html").querySelector(SELECTOR);
          var box = document.querySelector(SELECTOR);
          if (fresh && box) { box.replaceWith(fresh); }
        }
      })
      .catch(function () { /* a missed refresh is retried at the next tick */ })
      .then(function () { if (running()) { window.setTimeout(refresh, INTERVAL); } });
  }

  if (running()) { window.setTimeout(refresh, INTERVAL); }
})();
