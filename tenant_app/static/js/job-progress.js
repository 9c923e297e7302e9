// Follows a background job: polls the JSON status every 2 s, updates the progress bar and text,
// and reloads the page when the job has finished (the page then shows the result).
(function () {
  "use strict";
  var box = document.querySelector("[data-job-status-url]");
  if (!box) { return; }
  var url = box.getAttribute("data-job-status-url");
  var bar = box.querySelector("progress");
  var text = box.querySelector("[data-job-text]");
  var finished = ["invalid", "ready", "committed", "failed"];

  function update(data) {
    if (bar) {
      if (data.progress_total) {
        bar.max = data.progress_total;
        bar.value = data.progress_done;
      } else {
        bar.removeAttribute("value");
      }
    }
    if (text) {
      var parts = [];
      if (data.progress_total) { parts.push(data.progress_done + " / " + data.progress_total); }
      if (data.message) { parts.push(data.message); }
      text.textContent = parts.join(" · ");
    }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        update(data);
        if (finished.indexOf(data.state) >= 0) {
          window.location.reload();
        } else {
          window.setTimeout(poll, 2000);
        }
      })
      .catch(function () { window.setTimeout(poll, 2000); });
  }

  window.setTimeout(poll, 2000);
})();
