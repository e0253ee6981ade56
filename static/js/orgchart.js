// 组织架构图: expand and collapse branches without reloading the page. The chart works
// without this script (every toggle is a plain link the server answers); here the same
// link's chart card is fetched and swapped in, keeping the clicked box where it was.
(function () {
  "use strict";
  var PARTIAL = { "X-Orgchart-Partial": "1" };

  function card() {
    return document.querySelector("[data-oc-chart]");
  }

  function enhance(root) {
    var print = root.querySelector("[data-oc-print]");
    if (print) {
      print.classList.remove("d-none");
    }
    var submit = root.querySelector("[data-oc-depth-submit]");
    if (submit) {
      submit.classList.add("d-none");
    }
  }

  function load(url, anchorKey, push) {
    var current = card();
    var canvas = current && current.querySelector(".oc-canvas");
    var before = null;
    if (canvas && anchorKey) {
      var anchor = canvas.querySelector('.oc-node[data-key="' + anchorKey + '"]');
      if (anchor) {
        before = anchor.getBoundingClientRect();
      }
    }
    if (canvas) {
      canvas.classList.add("is-loading");
    }
    return fetch(url, { headers: PARTIAL, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.status);
        }
        return response.text();
      })
      .then(function (html) {
        var holder = document.createElement("div");
        holder.innerHTML = html.trim();
        var replacement = holder.firstElementChild;
        current.replaceWith(replacement);
        enhance(replacement);
        if (push) {
          window.history.pushState({ orgchart: true }, "", url);
        }
        var newCanvas = replacement.querySelector(".oc-canvas");
        if (newCanvas && before) {
          var moved = newCanvas.querySelector('.oc-node[data-key="' + anchorKey + '"]');
          if (moved) {
            var after = moved.getBoundingClientRect();
            newCanvas.scrollLeft += after.left - before.left;
            newCanvas.scrollTop += after.top - before.top;
          }
        }
      })
      .catch(function () {
        window.location.assign(url);
      });
  }

  document.addEventListener("click", function (event) {
    var toggle = event.target.closest("[data-oc-chart] .oc-toggle, [data-oc-chart] [data-oc-nav]");
    if (!toggle || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) {
      return;
    }
    event.preventDefault();
    var href = toggle.getAttribute("href");
    load(new URL(href, window.location.href).toString(), toggle.getAttribute("data-key"), true);
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-oc-print]")) {
      window.print();
    }
  });

  document.addEventListener("change", function (event) {
    var select = event.target.closest("[data-oc-depth-form] select");
    if (!select) {
      return;
    }
    var url = new URL(window.location.href);
    url.search = "";
    url.searchParams.set("depth", select.value);
    load(url.toString(), null, true);
  });

  window.addEventListener("popstate", function () {
    load(window.location.href, null, false);
  });

  // On arrival, bring the chart's starting box into view: the position the chart starts
  // from, else the first top box.
  function centreStart(root) {
    var canvas = root.querySelector(".oc-canvas");
    if (!canvas || canvas.scrollWidth <= canvas.clientWidth) {
      return;
    }
    var target = canvas.querySelector(".oc-focus") || canvas.querySelector(".oc-node");
    if (!target) {
      return;
    }
    var frame = canvas.getBoundingClientRect();
    var box = target.getBoundingClientRect();
    canvas.scrollLeft += box.left + box.width / 2 - (frame.left + frame.width / 2);
  }

  if (card()) {
    enhance(card());
    centreStart(card());
  }
})();
