// Fills a form again from the draft kept when the session expired before its save.
// The server puts the draft in <script type="application/json" id="draft-data">
// ({"action": "/t/…/path", "fields": {"name": ["value", …]}}); only the form that was posted
// (same action path) is filled, and nothing is submitted: the person checks and saves.
(function () {
  "use strict";
  var island = document.getElementById("draft-data");
  if (!island) { return; }
  var draft;
  try { draft = JSON.parse(island.textContent); } catch (e) { return; }
  var skipped = ["hidden", "password", "file", "submit", "button", "reset", "image"];

  function fill(form, name, values) {
    var elements = Array.prototype.filter.call(form.elements, function (el) {
      return el.name === name && skipped.indexOf(el.type) < 0;
    });
    var next = 0;
    elements.forEach(function (el) {
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = values.indexOf(el.value) >= 0;
      } else if (el.tagName === "SELECT" && el.multiple) {
        Array.prototype.forEach.call(el.options, function (option) {
          option.selected = values.indexOf(option.value) >= 0;
        });
      } else if (next < values.length) {
        el.value = values[next];
        next += 1;
      } else {
        return;
      }
      el.dispatchEvent(new Event("input", { bubbles: true }));
      el.dispatchEvent(new Event("change", { bubbles: true }));
    });
    return elements.length > 0;
  }

  Array.prototype.forEach.call(document.forms, function (form) {
    if (new URL(form.action, document.baseURI).pathname !== draft.action) { return; }
    var filled = false;
    Object.keys(draft.fields || {}).forEach(function (name) {
      filled = fill(form, name, draft.fields[name]) || filled;
    });
    if (filled) {
      form.classList.add("draft-restored");
      form.scrollIntoView({ block: "center" });
    }
  });
})();
