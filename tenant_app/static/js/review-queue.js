// Review in place: a report's form (form[data-inplace]) is posted with fetch; the server answers
// with the row's new HTML, a message for it and the new counts of the filters. Without this
// script the same form posts normally and the server redirects back to the same filtered page.
// No inline script (CSP: script-src 'self'); the CSRF token travels in the form's own field.
(function () {
  "use strict";

  function setCounts(counts) {
    if (!counts) { return; }
    Object.keys(counts).forEach(function (key) {
      document.querySelectorAll('[data-count="' + key + '"]').forEach(function (el) {
        el.textContent = String(counts[key]);
      });
    });
  }

  function showStatus(row, text, failed) {
    var status = row && row.querySelector("[data-row-status]");
    if (!status) { return; }
    status.textContent = text;
    status.classList.toggle("error", !!failed);
  }

  function replaceRow(row, html) {
    var template = document.createElement("template");
    template.innerHTML = html.trim();
    var fresh = template.content.querySelector("[data-row]");
    if (!fresh) { return row; }
    row.replaceWith(fresh);
    return fresh;
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-inplace")) { return; }
    if (!window.fetch || !window.FormData) { return; }  // the normal POST still works
    event.preventDefault();
    var row = form.closest("[data-row]");
    var fail = form.getAttribute("data-fail") || "";
    var buttons = form.querySelectorAll("button, input[type=submit]");
    buttons.forEach(function (b) { b.disabled = true; });
    row.setAttribute("aria-busy", "true");
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (type.indexOf("application/json") === -1) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (body) {
        var fresh = body.html ? replaceRow(row, body.html) : row;
        setCounts(body.counts);
        showStatus(fresh, body.message || "", !body.ok);
        fresh.removeAttribute("aria-busy");
        var target = body.ok ? fresh.querySelector("[data-row-status]") : fresh.querySelector("[aria-invalid=true]");
        if (target) {
          if (!target.hasAttribute("tabindex") && body.ok) { target.setAttribute("tabindex", "-1"); }
          target.focus();
        }
      })
      .catch(function () {
        buttons.forEach(function (b) { b.disabled = false; });
        row.removeAttribute("aria-busy");
        showStatus(row, fail, true);
      });
  });
})();
