// The import job page: poll the job's JSON status and move the progress bar; reload the page
// when parsing or importing has finished, so the server renders the preview (or the result).
(function () {
  "use strict";

  const card = document.getElementById("import-job");
  if (!card || card.dataset.finished === "1") {
    return;
  }
  const bar = document.getElementById("import-job-bar");
  const progress = document.getElementById("import-job-progress");
  const stage = document.getElementById("import-job-stage");
  const label = document.getElementById("import-job-state");
  const url = card.dataset.statusUrl;
  let delay = 1000;

  function show(state) {
    bar.style.width = state.percent + "%";
    bar.textContent = state.percent + "%";
    progress.setAttribute("aria-valuenow", String(state.percent));
    stage.textContent = state.stage;
    label.textContent = state.status_label;
    label.className = "badge me-2 import-job-status-" + state.status;
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (state) {
        show(state);
        if (state.finished) {
          window.location.reload();
          return;
        }
        delay = 1000;
        window.setTimeout(poll, delay);
      })
      .catch(function () {
        delay = Math.min(delay * 2, 10000);
        window.setTimeout(poll, delay);
      });
  }

  window.setTimeout(poll, delay);
})();
