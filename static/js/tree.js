// Department tree: "expand all" / "collapse all" buttons. Collapsing keeps the top level open,
// so the first level of companies and departments stays in view. Without JS every department
// stays expanded and the buttons stay hidden.
(function () {
  "use strict";
  var controls = document.querySelector("[data-tree-controls]");
  if (!controls || !window.bootstrap) {
    return;
  }
  controls.classList.remove("d-none");
  controls.addEventListener("click", function (event) {
    var button = event.target.closest("[data-tree-action]");
    if (!button) {
      return;
    }
    var action = button.getAttribute("data-tree-action");
    document.querySelectorAll(".tree-collapse").forEach(function (element) {
      var collapse = window.bootstrap.Collapse.getOrCreateInstance(element, { toggle: false });
      var isTopLevel = element.parentElement.classList.contains("tree-depth-0");
      if (action === "show" || isTopLevel) {
        collapse.show();
      } else {
        collapse.hide();
      }
    });
  });
})();
