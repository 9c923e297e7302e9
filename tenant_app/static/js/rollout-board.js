// Live rollout board: polls the rollout's JSON status every 3 s and updates the counts and each
// unit's row in place; stops once the dry run is computed or the apply is no longer running.
(function () {
  "use strict";
  var box = document.querySelector("[data-rollout-board]");
  if (!box) { return; }
  var url = box.getAttribute("data-rollout-board");
  var table = document.querySelector("[data-rollout-targets]");
  var badge = document.querySelector("[data-rollout-status]");

  function setText(el, value) {
    if (el) { el.textContent = value === null || value === undefined ? "" : String(value); }
  }

  function update(data) {
    Object.keys(data.counts || {}).forEach(function (key) {
      setText(box.querySelector('[data-count="' + key + '"]'), data.counts[key]);
    });
    if (badge && !data.dry_run) { setText(badge, data.status_label); }
    (data.targets || []).forEach(function (t) {
      var row = table && table.querySelector('tr[data-tenant="' + t.tenant + '"]');
      if (!row) { return; }
      setText(row.querySelector('[data-field="status_label"]'), t.status_label);
      ["changes", "kept", "overrides", "conflicts"].forEach(function (key) {
        setText(row.querySelector('[data-field="' + key + '"]'), (t.counts || {})[key] || 0);
      });
      setText(row.querySelector('[data-field="message"]'), t.message);
    });
  }

  function busy(data) {
    if (data.dry_run) {
      return (data.targets || []).some(function (t) { return !t.finished_at; });
    }
    return data.status === "running";
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { window.setTimeout(poll, 5000); return; }
        update(data);
        if (busy(data)) { window.setTimeout(poll, 3000); }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }

  window.setTimeout(poll, 3000);
})();
