// Batch 提交/审核/审批: a header checkbox (data-batch-select-all) ticks every row of its table.
document.addEventListener("change", (event) => {
  const all = event.target.closest("[data-batch-select-all]");
  if (!all) return;
  const table = all.closest("table");
  table.querySelectorAll('input[name="positions"]').forEach((box) => {
    box.checked = all.checked;
  });
});
