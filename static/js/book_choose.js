// 打印汇编 · 自选职位: each department's 全选本部门 box ticks or clears its positions, and
// shows whether all, some (indeterminate) or none of them are ticked. Without JavaScript the
// box is submitted as it is and the server adds the whole department.
(function () {
  "use strict";

  const form = document.getElementById("book-form");
  if (!form) {
    return;
  }

  function positionsOf(department) {
    return form.querySelectorAll(
      'input[name="positions"][data-department="' + department + '"]'
    );
  }

  function sync(all) {
    const boxes = Array.from(positionsOf(all.dataset.department));
    const ticked = boxes.filter((box) => box.checked).length;
    all.checked = boxes.length > 0 && ticked === boxes.length;
    all.indeterminate = ticked > 0 && ticked < boxes.length;
  }

  form.querySelectorAll("input.book-choose-all").forEach((all) => {
    sync(all);
    all.addEventListener("change", () => {
      positionsOf(all.dataset.department).forEach((box) => {
        box.checked = all.checked;
      });
      all.indeterminate = false;
    });
  });

  form.addEventListener("change", (event) => {
    const box = event.target;
    if (box.name !== "positions") {
      return;
    }
    const all = form.querySelector(
      'input.book-choose-all[data-department="' + box.dataset.department + '"]'
    );
    if (all) {
      sync(all);
    }
  });
})();
