// Sheet page: the 打印 button prints the sheet (print styles live in css/sheet.css).
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-action='print']");
  if (button) {
    event.preventDefault();
    window.print();
  }
});
