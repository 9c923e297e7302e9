// Province comparison: type to narrow the list of units in the unit picker.
(function () {
  document.querySelectorAll(".unit-picker").forEach(function (picker) {
    var list = picker.querySelector(".unit-list");
    if (!list) return;
    var box = document.createElement("input");
    box.type = "search";
    box.className = "filter";
    box.placeholder = picker.dataset.filterLabel || "Tìm đơn vị…";
    box.setAttribute("aria-label", box.placeholder);
    list.parentNode.insertBefore(box, list);
    var fold = function (text) {
      return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d")
        .replace(/Đ/g, "D").toLowerCase();
    };
    box.addEventListener("input", function () {
      var needle = fold(box.value.trim());
      list.querySelectorAll("li").forEach(function (item) {
        item.hidden = needle !== "" && fold(item.textContent).indexOf(needle) === -1;
      });
    });
  });
})();
