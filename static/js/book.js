// The 职位说明书汇编 job page: poll the job's JSON status and move the progress bar; reload
// the page when the job has finished, so the server renders the download (or the error).
(function () {
  "use strict";

  const card = document.getElementById("book-job");
  if (!card || card.dataset.status === "done" || card.dataset.status === "failed") {
    return;
  }
  const bar = document.getElementById("book-progress-bar");
  const progress = document.getElementById("book-progress");
  const stage = document.getElementById("book-stage");
  const label = document.getElementById("book-status-label");
  const url = card.dataset.statusUrl;
  let delay = 1000;

  function show(state) {
    bar.style.width = state.percent + "%";
    bar.textContent = state.percent + "%";
    progress.setAttribute("aria-valuenow", String(state.percent));
    stage.textContent = state.stage;
    label.textContent = state.status_label;
    label.className = "badge me-2 book-status-" + state.status;
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
        // A hiccup (server restarting, network): try again, more slowly.
        delay = Math.min(delay * 2, 10000);
        window.setTimeout(poll, delay);
      });
  }

  window.setTimeout(poll, delay);
})();
