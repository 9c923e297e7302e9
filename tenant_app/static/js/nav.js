// Header navigation: the menu button that shows the navigation on a small screen, and the
// disclosure groups (<details>) closing when another one opens, on Escape or on a click
// elsewhere. Without JavaScript the navigation is simply shown in full (no "js" class).
document.documentElement.classList.add("js");

document.addEventListener("DOMContentLoaded", () => {
  const toggle = document.querySelector(".navtoggle");
  const area = document.getElementById("mainnav");
  const groups = Array.from(document.querySelectorAll("details.navgroup"));

  if (toggle && area) {
    toggle.addEventListener("click", () => {
      const open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", String(open));
      area.classList.toggle("open", open);
    });
  }

  const closeAll = (except) => {
    groups.forEach((group) => {
      if (group !== except) group.open = false;
    });
  };
  groups.forEach((group) => {
    group.addEventListener("toggle", () => {
      if (group.open) closeAll(group);
    });
  });
  document.addEventListener("click", (event) => {
    if (!event.target.closest("details.navgroup")) closeAll(null);
  });
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    const open = groups.find((group) => group.open);
    if (open) {
      open.open = false;
      open.querySelector("summary").focus();
    }
  });
});
