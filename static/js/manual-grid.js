// 权责手册 grid editor (templates/rights/grid.html). Loads the scoped working document as JSON
// from data-url, renders it as a table (rows = categories → matters → bands, columns = positions
// and bodies), edits it in memory and saves the whole document back with its lock_version.
//
// Keyboard: arrow keys move between cells; 1–6 or the first pinyin letter of a level sets it
// (a letter shared by two levels cycles: s → 审核 → 审批, z → 执行 → 知情); Delete/Backspace
// clears; Enter on a band adds a band below it. Checks and validation errors appear beside the
// grid, each linking to its row or column.
(function () {
  "use strict";

  const root = document.querySelector("[data-manual-grid]");
  if (!root) return;

  const LEVELS = [
    ["propose", "提议", "t"],
    ["review", "审核", "s"],
    ["countersign", "会签", "h"],
    ["approve", "审批", "s"],
    ["execute", "执行", "z"],
    ["inform", "知情", "z"],
  ];
  const LABEL = Object.fromEntries(LEVELS.map(([value, label]) => [value, label]));
  const url = root.dataset.url;
  const csrf = root.querySelector("input[name=csrfmiddlewaretoken]").value;
  const table = root.querySelector("[data-grid-table]");
  const status = root.querySelector("[data-grid-status]");
  const checksList = root.querySelector("[data-grid-checks]");
  const errorsList = root.querySelector("[data-grid-errors]");
  const saveButton = root.querySelector("[data-grid-save]");

  let doc = null;
  let dirty = false;
  let focus = { row: 0, col: 0 };
  let cellIndex = []; // [row][col] → td, rebuilt by render(): no selector scans on each key
  let rowsIndex = []; // the bands in row order, rebuilt by render()

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (key === "class") node.className = value;
      else if (key.startsWith("data-")) node.setAttribute(key, value);
      else node[key] = value;
    }
    for (const child of children) {
      if (child != null) node.append(child);
    }
    return node;
  }

  function say(text, kind) {
    status.textContent = text;
    status.className = "small ms-2 text-" + (kind || "secondary");
  }

  function changed() {
    dirty = true;
    saveButton.disabled = false;
    say("有未保存的修改", "warning");
  }

  function button(label, title, action, extra) {
    return el("button", {
      type: "button",
      class: "btn btn-link btn-sm p-0 ms-1 grid-action " + (extra || ""),
      title: title,
      "data-action": action,
      textContent: label,
    });
  }

  // --- rendering ---------------------------------------------------------------------------

  function bandRows() {
    return rowsIndex;
  }

  function collectBands() {
    const rows = [];
    doc.categories.forEach((category, c) => {
      category.matters.forEach((matter, m) => {
        matter.bands.forEach((band, b) => rows.push({ c, m, b, band }));
      });
    });
    return rows;
  }

  function render() {
    const columns = doc.columns;
    const head = el("thead");
    const headRow = el("tr");
    headRow.append(el("th", { class: "grid-corner", scope: "col", textContent: "事项 / 档位" }));
    columns.forEach((column, index) => {
      const th = el(
        "th",
        { scope: "col", class: "grid-column grid-column-" + column.kind, "data-col": index },
        el("span", { class: "grid-column-label", textContent: column.label }),
      );
      if (column.kind === "position") {
        th.append(el("small", { class: "d-block text-secondary", textContent: column.department || "" }));
        if (column.archived) th.append(el("small", { class: "d-block text-danger", textContent: "已归档" }));
      } else {
        th.append(el("small", { class: "d-block text-secondary", textContent: "机构" }));
        th.append(button("改名", "重命名机构", "rename-body"), button("删除", "删除机构", "delete-body", "text-danger"));
      }
      headRow.append(th);
    });
    head.append(headRow);

    const body = el("tbody");
    let rowIndex = 0;
    cellIndex = [];
    const span = columns.length + 1;
    doc.categories.forEach((category, c) => {
      const th = el(
        "th",
        { colSpan: span, scope: "rowgroup", class: "grid-category-name" },
        el(
          "div",
          { class: "grid-group-label" },
          el("span", { textContent: category.name }),
          button("改名", "重命名类别", "rename-category"),
          button("删除", "删除类别", "delete-category", "text-danger"),
          button("+事项", "在此类别下添加事项", "add-matter"),
        ),
      );
      body.append(el("tr", { class: "grid-category", "data-category": c }, th));
      category.matters.forEach((matter, m) => {
        const mth = el(
          "th",
          { colSpan: span, scope: "rowgroup", class: "grid-matter-name" },
          el(
            "div",
            { class: "grid-group-label" },
            el("span", { textContent: matter.name }),
            matter.note ? el("small", { class: "text-secondary ms-1", textContent: matter.note }) : null,
            button("改名", "重命名事项", "rename-matter"),
            button("说明", "修改说明", "note-matter"),
            button("删除", "删除事项", "delete-matter", "text-danger"),
            button("+档位", "添加档位（金额或条件）", "add-band"),
          ),
        );
        body.append(el("tr", { class: "grid-matter", "data-category": c, "data-matter": m }, mth));
        matter.bands.forEach((band, b) => {
          const tr = el("tr", {
            class: "grid-band",
            "data-category": c,
            "data-matter": m,
            "data-band": b,
            "data-row": rowIndex,
          });
          const condition = el("input", {
            type: "text",
            class: "form-control form-control-sm grid-condition",
            value: band.condition || "",
            placeholder: "不分档",
            maxLength: 100,
            title: "档位/条件，如“金额 ≤ 5 万”；不分档时留空",
          });
          condition.setAttribute("aria-label", matter.name + " 档位/条件");
          const rowHead = el("th", { scope: "row", class: "grid-row-head" }, condition, button("删除", "删除此档位", "delete-band", "text-danger"));
          tr.append(rowHead);
          const rowCells = [];
          cellIndex.push(rowCells);
          columns.forEach((column, col) => {
            const level = band.cells[column.key] || "";
            const td = el("td", {
              class: "grid-cell" + (level ? " level-" + level : ""),
              tabIndex: -1,
              textContent: LABEL[level] || "",
              "data-row": rowIndex,
              "data-col": col,
            });
            td.setAttribute("role", "gridcell");
            td.setAttribute("aria-label", matter.name + (band.condition ? "（" + band.condition + "）" : "") + " · " + column.label);
            tr.append(td);
            rowCells.push(td);
          });
          body.append(tr);
          rowIndex += 1;
        });
      });
    });
    if (!doc.categories.length) {
      body.append(el("tr", {}, el("td", { colSpan: span, class: "text-secondary p-3", textContent: "尚无事项：点“添加类别”开始。" })));
    }
    table.replaceChildren(head, body);
    // Fixed table layout needs a width: the first column and 6rem per column (manual-grid.css).
    table.style.width = 15 + 6 * columns.length + "rem";
    rowsIndex = collectBands();
    const cell = cellAt(focus.row, focus.col);
    if (cell) cell.tabIndex = 0;
  }

  function cellAt(row, col) {
    return (cellIndex[row] || [])[col] || null;
  }

  function moveTo(row, col) {
    const rows = bandRows().length;
    if (!rows || !doc.columns.length) return;
    row = Math.max(0, Math.min(rows - 1, row));
    col = Math.max(0, Math.min(doc.columns.length - 1, col));
    const old = cellAt(focus.row, focus.col);
    if (old) old.tabIndex = -1;
    focus = { row, col };
    const cell = cellAt(row, col);
    if (cell) {
      cell.tabIndex = 0;
      cell.focus({ preventScroll: true });
      cell.scrollIntoView({ block: "nearest", inline: "nearest" });
    }
  }

  function setLevel(row, col, level) {
    const target = bandRows()[row];
    const key = doc.columns[col].key;
    if (level) target.band.cells[key] = level;
    else delete target.band.cells[key];
    const cell = cellAt(row, col);
    cell.textContent = LABEL[level] || "";
    cell.className = "grid-cell" + (level ? " level-" + level : "");
    changed();
  }

  // --- structure edits --------------------------------------------------------------------

  function ask(question, current) {
    const answer = window.prompt(question, current || "");
    if (answer === null) return null;
    const text = answer.trim();
    if (!text) {
      say("名称不能为空，未修改。", "danger");
      return null;
    }
    return text;
  }

  function structural(action, target) {
    const tr = target.closest("tr");
    const th = target.closest("th");
    const c = tr && tr.dataset.category !== undefined ? Number(tr.dataset.category) : null;
    const m = tr && tr.dataset.matter !== undefined ? Number(tr.dataset.matter) : null;
    const b = tr && tr.dataset.band !== undefined ? Number(tr.dataset.band) : null;
    const category = c !== null ? doc.categories[c] : null;
    const matter = m !== null ? category.matters[m] : null;
    let name;
    switch (action) {
      case "add-category":
        if ((name = ask("新类别名称（如 财务管理）"))) {
          doc.categories.push({ name, matters: [] });
        }
        break;
      case "rename-category":
        if ((name = ask("类别名称", category.name))) category.name = name;
        break;
      case "delete-category":
        if (!window.confirm("删除类别“" + category.name + "”及其全部事项？")) return;
        doc.categories.splice(c, 1);
        break;
      case "add-matter":
        if ((name = ask("新事项名称（如 费用报销）"))) {
          category.matters.push({ name, note: "", bands: [{ condition: "", cells: {} }] });
        }
        break;
      case "rename-matter":
        if ((name = ask("事项名称", matter.name))) matter.name = name;
        break;
      case "note-matter": {
        const note = window.prompt("事项说明（可留空）", matter.note || "");
        if (note === null) return;
        matter.note = note.trim();
        break;
      }
      case "delete-matter":
        if (!window.confirm("删除事项“" + matter.name + "”？")) return;
        category.matters.splice(m, 1);
        break;
      case "add-band":
        matter.bands.push({ condition: "", cells: {} });
        break;
      case "delete-band":
        matter.bands.splice(b, 1);
        break;
      case "add-body":
        if ((name = ask("机构名称（如 董事会、股东会、总经理办公会）"))) {
          const key = "b" + name;
          if (doc.columns.some((column) => column.key === key)) {
            say("机构“" + name + "”已存在。", "danger");
            return;
          }
          doc.columns.push({ key, kind: "body", label: name });
        }
        break;
      case "rename-body":
      case "delete-body": {
        const index = Number(th.dataset.col);
        const column = doc.columns[index];
        if (action === "delete-body") {
          if (!window.confirm("删除机构“" + column.label + "”这一列？")) return;
          doc.columns.splice(index, 1);
          bandRows().forEach(({ band }) => delete band.cells[column.key]);
        } else if ((name = ask("机构名称", column.label))) {
          const key = "b" + name;
          bandRows().forEach(({ band }) => {
            if (column.key in band.cells) {
              band.cells[key] = band.cells[column.key];
              delete band.cells[column.key];
            }
          });
          column.key = key;
          column.label = name;
        }
        break;
      }
      default:
        return;
    }
    changed();
    render();
  }

  function addBandAfter(row) {
    const target = bandRows()[row];
    if (!target) return;
    const matter = doc.categories[target.c].matters[target.m];
    matter.bands.splice(target.b + 1, 0, { condition: "", cells: {} });
    changed();
    render();
    const input = table.querySelector('tr[data-row="' + (row + 1) + '"] .grid-condition');
    if (input) input.focus();
  }

  // --- events ------------------------------------------------------------------------------

  table.addEventListener("click", (event) => {
    const action = event.target.closest("[data-action]");
    if (action) {
      structural(action.dataset.action, action);
      return;
    }
    const cell = event.target.closest("td.grid-cell");
    if (cell) moveTo(Number(cell.dataset.row), Number(cell.dataset.col));
  });

  table.addEventListener("input", (event) => {
    if (!event.target.classList.contains("grid-condition")) return;
    const tr = event.target.closest("tr");
    const band = bandRows()[Number(tr.dataset.row)].band;
    band.condition = event.target.value.trim();
    changed();
  });

  table.addEventListener("keydown", (event) => {
    if (event.target.classList.contains("grid-condition")) {
      if (event.key === "Enter") {
        event.preventDefault();
        addBandAfter(Number(event.target.closest("tr").dataset.row));
      } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        const row = Number(event.target.closest("tr").dataset.row) + (event.key === "ArrowDown" ? 1 : -1);
        const next = table.querySelector('tr[data-row="' + row + '"] .grid-condition');
        if (next) next.focus();
      } else if (event.key === "ArrowRight" && event.target.selectionStart === event.target.value.length) {
        event.preventDefault();
        moveTo(Number(event.target.closest("tr").dataset.row), 0);
      }
      return;
    }
    const cell = event.target.closest("td.grid-cell");
    if (!cell || event.ctrlKey || event.metaKey || event.altKey) return;
    const row = Number(cell.dataset.row);
    const col = Number(cell.dataset.col);
    const key = event.key;
    const moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
    if (moves[key]) {
      event.preventDefault();
      if (key === "ArrowLeft" && col === 0) {
        const input = cell.closest("tr").querySelector(".grid-condition");
        input.focus();
        return;
      }
      moveTo(row + moves[key][0], col + moves[key][1]);
    } else if (key === "Delete" || key === "Backspace" || key === "0") {
      event.preventDefault();
      setLevel(row, col, "");
    } else if (key === "Enter") {
      event.preventDefault();
      addBandAfter(row);
    } else if (/^[1-6]$/.test(key)) {
      event.preventDefault();
      setLevel(row, col, LEVELS[Number(key) - 1][0]);
    } else if (/^[a-zA-Z]$/.test(key)) {
      const letter = key.toLowerCase();
      const matching = LEVELS.filter((level) => level[2] === letter).map((level) => level[0]);
      if (!matching.length) return;
      event.preventDefault();
      const current = bandRows()[row].band.cells[doc.columns[col].key] || "";
      const next = matching[(matching.indexOf(current) + 1) % matching.length];
      setLevel(row, col, next);
    }
  });

  root.querySelector("[data-grid-toolbar]").addEventListener("click", (event) => {
    const action = event.target.closest("[data-action]");
    if (action) structural(action.dataset.action, action);
  });

  function jump(event) {
    const link = event.target.closest("[data-jump-row],[data-jump-col]");
    if (!link) return;
    event.preventDefault();
    const row = link.dataset.jumpRow !== undefined && link.dataset.jumpRow !== "" ? Number(link.dataset.jumpRow) : focus.row;
    const col = link.dataset.jumpCol !== undefined && link.dataset.jumpCol !== "" ? Number(link.dataset.jumpCol) : 0;
    table.querySelectorAll(".grid-flagged").forEach((node) => node.classList.remove("grid-flagged"));
    if (link.dataset.jumpRow) {
      const tr = table.querySelector('tr[data-row="' + row + '"]');
      if (tr) tr.classList.add("grid-flagged");
    }
    if (link.dataset.jumpCol) {
      const th = table.querySelector('th[data-col="' + col + '"]');
      if (th) th.classList.add("grid-flagged");
    }
    moveTo(row, col);
  }
  checksList.addEventListener("click", jump);

  // --- checks and errors --------------------------------------------------------------------

  function rowOf(check) {
    // A check names its band by category, matter and condition.
    const index = bandRows().findIndex(
      ({ c, m, band }) =>
        doc.categories[c].name === check.category &&
        doc.categories[c].matters[m].name === check.matter &&
        (band.condition || "") === (check.condition || ""),
    );
    return index < 0 ? "" : String(index);
  }

  function colOf(key) {
    const index = doc.columns.findIndex((column) => column.key === key);
    return index < 0 ? "" : String(index);
  }

  function showChecks(checks) {
    checksList.replaceChildren();
    if (!checks.length) {
      checksList.append(el("li", { class: "list-group-item text-success", textContent: "检查通过：没有发现问题。" }));
      return;
    }
    checks.forEach((check) => {
      const link = el("a", {
        href: "#",
        class: "list-group-item list-group-item-action small",
        "data-jump-row": rowOf(check),
        "data-jump-col": colOf(check.column),
        textContent: check.message,
      });
      checksList.append(link);
    });
  }

  function showErrors(errors) {
    errorsList.replaceChildren(...errors.map((text) => el("li", { textContent: text })));
    errorsList.closest("[data-grid-errors-box]").hidden = !errors.length;
  }

  function load(payload) {
    doc = payload.document;
    dirty = false;
    saveButton.disabled = true;
    render();
    showChecks(payload.checks || []);
    showErrors([]);
  }

  async function save() {
    saveButton.disabled = true;
    say("正在保存…");
    let response;
    try {
      response = await fetch(url, {
        method: "PUT",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, Accept: "application/json" },
        body: JSON.stringify({ document: doc, lock_version: doc.lock_version }),
        credentials: "same-origin",
      });
    } catch (error) {
      say("无法连接服务器，未保存。", "danger");
      saveButton.disabled = false;
      return;
    }
    const payload = await response.json().catch(() => ({ detail: "服务器出错，未保存。" }));
    if (response.ok) {
      load(payload);
      say("已保存（编辑版本号 " + doc.lock_version + "）", "success");
      return;
    }
    saveButton.disabled = false;
    showErrors([payload.detail].concat(payload.errors || []).filter(Boolean));
    say(payload.detail || "未保存。", "danger");
  }

  saveButton.addEventListener("click", save);
  window.addEventListener("beforeunload", (event) => {
    if (dirty) event.preventDefault();
  });

  fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
    .then((response) => response.json().then((payload) => ({ ok: response.ok, payload })))
    .then(({ ok, payload }) => {
      if (!ok) throw new Error(payload.detail || "无法读取权责手册。");
      load(payload);
      say("已载入（编辑版本号 " + doc.lock_version + "）");
    })
    .catch((error) => say(error.message || "无法读取权责手册。", "danger"));
})();
