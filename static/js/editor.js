// The HR editor (positions/position_form.html): add / delete / reorder rows, and search pickers.
//
// Without this script the page still works: rows are added with the 添加 buttons (a round trip),
// deleted with their 删除 checkboxes, ordered by typing 重要性 numbers, and the pickers' search
// text is resolved when the form is saved.
(() => {
  "use strict";

  const editor = document.querySelector("[data-editor]");
  if (!editor) return;
  editor.classList.add("editor-js");
  editor.querySelectorAll("[data-js-only]").forEach((el) => { el.hidden = false; });
  editor.querySelectorAll("[data-nojs-only]").forEach((el) => { el.hidden = true; });

  // ---- rows ---------------------------------------------------------------------------------

  const liveRows = (list) =>
    [...list.querySelectorAll(":scope > [data-row]")].filter((row) => !row.classList.contains("is-deleted"));

  function showEmptyNote(list) {
    const note = list.parentElement.querySelector("[data-empty-note]");
    if (note) note.hidden = liveRows(list).length > 0;
  }

  function groupOf(row) {
    const input = row.querySelector("input[name$='-group']");
    return input ? input.value.trim() : "";
  }

  // Duties: 重要性 follows the order on the page; a heading wherever the group changes.
  function renumber(list) {
    if (!list.hasAttribute("data-sortable")) {
      showEmptyNote(list);
      return;
    }
    list.querySelectorAll(":scope > [data-group-heading]").forEach((h) => h.remove());
    let previous = null;
    const rows = liveRows(list);
    rows.forEach((row, index) => {
      const rank = row.querySelector("input[name$='-rank']");
      if (rank) rank.value = String(index + 1);
      const group = groupOf(row);
      if (group && group !== previous) {
        const heading = document.createElement("h3");
        heading.className = "duty-group-heading";
        heading.setAttribute("data-group-heading", "");
        heading.textContent = group;
        row.before(heading);
      }
      previous = group;
      const up = row.querySelector("[data-action='move-up']");
      const down = row.querySelector("[data-action='move-down']");
      if (up) up.disabled = index === 0;
      if (down) down.disabled = index === rows.length - 1;
    });
    showEmptyNote(list);
  }

  function prepareRow(row) {
    const rank = row.querySelector("input[name$='-rank']");
    if (rank) {
      rank.readOnly = true;
      rank.tabIndex = -1;
      rank.title = "用 上移 / 下移 调整顺序，重要性自动重排";
    }
    row.querySelectorAll("[data-js-only]").forEach((el) => { el.hidden = false; });
    row.querySelectorAll("[data-nojs-only]").forEach((el) => { el.hidden = true; });
    const deleted = row.querySelector("input[name$='-DELETE']");
    if (deleted && deleted.checked) markDeleted(row, true);
  }

  function markDeleted(row, deleted) {
    const box = row.querySelector("input[name$='-DELETE']");
    if (box) box.checked = deleted;
    row.classList.toggle("is-deleted", deleted);
    const note = row.querySelector("[data-deleted-note]");
    if (note) note.hidden = !deleted;
  }

  function addRow(section) {
    const list = editor.querySelector(`[data-rows='${section}']`);
    const template = document.getElementById(`${section}-template`);
    const total = editor.querySelector(`input[name='${section}-TOTAL_FORMS']`);
    if (!list || !template || !total) return;
    const index = Number(total.value);
    const html = template.innerHTML.replace(/__prefix__/g, String(index));
    const holder = document.createElement("div");
    holder.innerHTML = html.trim();
    const row = holder.firstElementChild;
    list.append(row);
    total.value = String(index + 1);
    prepareRow(row);
    renumber(list);
    const first = row.querySelector("textarea, input:not([type='hidden']):not([readonly]), select");
    if (first) first.focus();
  }

  function move(row, direction) {
    const list = row.parentElement;
    const rows = liveRows(list);
    const at = rows.indexOf(row);
    const other = rows[at + direction];
    if (!other) return;
    if (direction < 0) other.before(row);
    else other.after(row);
    renumber(list);
    const button = row.querySelector(direction < 0 ? "[data-action='move-up']" : "[data-action='move-down']");
    if (button && !button.disabled) button.focus();
    row.classList.remove("just-moved");
    void row.offsetWidth; // restart the highlight animation
    row.classList.add("just-moved");
  }

  editor.querySelectorAll("[data-rows]").forEach((list) => {
    list.querySelectorAll(":scope > [data-row]").forEach(prepareRow);
    renumber(list);
  });

  editor.addEventListener("click", (event) => {
    const add = event.target.closest("[data-add-row]");
    if (add) {
      event.preventDefault();
      addRow(add.getAttribute("data-add-row"));
      return;
    }
    const action = event.target.closest("[data-action]");
    if (!action) return;
    const row = action.closest("[data-row]");
    if (!row) return;
    const name = action.getAttribute("data-action");
    if (name === "move-up") move(row, -1);
    else if (name === "move-down") move(row, 1);
    else if (name === "delete-row" || name === "undo-delete") {
      markDeleted(row, name === "delete-row");
      renumber(row.parentElement);
    }
  });

  editor.addEventListener("input", (event) => {
    const input = event.target;
    if (input.matches("input[name$='-group']")) renumber(input.closest("[data-rows]"));
    if (input.matches("input[name^='duties-'][name$='-title']")) {
      const title = input.closest("[data-row]").querySelector("[data-row-title]");
      if (title) title.textContent = input.value;
    }
  });

  // ---- pickers ------------------------------------------------------------------------------

  function setupPicker(picker) {
    const select = picker.querySelector("select");
    const query = picker.querySelector(".picker-query input");
    const results = picker.querySelector("[data-picker-results]");
    const chips = picker.querySelector("[data-picker-chips]");
    const url = picker.getAttribute("data-picker-url");
    const multiple = picker.hasAttribute("data-picker-multiple");
    if (!select || !query || !results || !chips || !url) return;
    picker.classList.add("picker-js");
    select.classList.add("d-none");
    chips.hidden = false;
    query.setAttribute("role", "combobox");
    query.setAttribute("aria-expanded", "false");
    query.setAttribute("aria-autocomplete", "list");
    let active = -1;
    let timer = null;
    let request = 0;

    function chosen() {
      return [...select.options].filter((o) => o.value && o.selected);
    }

    function renderChips() {
      chips.replaceChildren();
      const options = chosen();
      if (!options.length) {
        const empty = document.createElement("span");
        empty.className = "picker-none";
        empty.textContent = "未选择";
        chips.append(empty);
      }
      options.forEach((option) => {
        const chip = document.createElement("span");
        chip.className = "picker-chip";
        chip.textContent = option.textContent;
        const remove = document.createElement("button");
        remove.type = "button";
        remove.className = "btn-close";
        remove.setAttribute("aria-label", `移除 ${option.textContent}`);
        remove.addEventListener("click", () => {
          if (multiple) option.remove();
          else select.value = "";
          renderChips();
        });
        chip.append(remove);
        chips.append(chip);
      });
    }

    function close() {
      results.hidden = true;
      results.replaceChildren();
      query.setAttribute("aria-expanded", "false");
      active = -1;
    }

    function choose(id, text) {
      let option = [...select.options].find((o) => o.value === String(id));
      if (!option) {
        option = new Option(text, String(id));
        select.append(option);
      }
      if (!multiple) [...select.options].forEach((o) => { o.selected = false; });
      option.selected = true;
      query.value = "";
      close();
      renderChips();
    }

    function highlight(index) {
      const items = [...results.querySelectorAll("button")];
      items.forEach((item, i) => item.classList.toggle("active", i === index));
      active = index;
      if (items[index]) items[index].scrollIntoView({ block: "nearest" });
    }

    async function search() {
      const term = query.value.trim();
      const mine = ++request;
      let data;
      try {
        const response = await fetch(`${url}?q=${encodeURIComponent(term)}`, {
          headers: { Accept: "application/json" },
          credentials: "same-origin",
        });
        if (!response.ok) throw new Error(String(response.status));
        data = await response.json();
      } catch (error) {
        data = { results: [], error: true };
      }
      if (mine !== request) return; // a newer search is under way
      results.replaceChildren();
      if (!data.results.length) {
        const none = document.createElement("div");
        none.className = "list-group-item small text-body-secondary";
        none.textContent = data.error ? "搜索失败，请稍后重试。" : `没有找到与“${term}”匹配的结果。`;
        results.append(none);
      }
      data.results.forEach((item) => {
        const button = document.createElement("button");
        button.type = "button";
        button.className = "list-group-item list-group-item-action small";
        button.setAttribute("role", "option");
        button.textContent = item.text;
        button.addEventListener("mousedown", (event) => event.preventDefault());
        button.addEventListener("click", () => choose(item.id, item.text));
        results.append(button);
      });
      results.hidden = false;
      query.setAttribute("aria-expanded", "true");
      active = -1;
    }

    query.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(search, 200);
    });
    query.addEventListener("focus", () => {
      if (query.value.trim()) search();
    });
    query.addEventListener("blur", () => setTimeout(close, 150));
    query.addEventListener("keydown", (event) => {
      const items = [...results.querySelectorAll("button")];
      if (event.key === "ArrowDown" && items.length) {
        event.preventDefault();
        highlight(Math.min(active + 1, items.length - 1));
      } else if (event.key === "ArrowUp" && items.length) {
        event.preventDefault();
        highlight(Math.max(active - 1, 0));
      } else if (event.key === "Enter") {
        event.preventDefault(); // never submit the whole editor from a search box
        if (items[active]) items[active].click();
        else if (items.length === 1) items[0].click();
      } else if (event.key === "Escape") {
        close();
      }
    });
    renderChips();
    // Typed before this script ran (a slow page): search what is already in the box.
    if (document.activeElement === query && query.value.trim()) search();
  }

  editor.querySelectorAll("[data-picker]").forEach(setupPicker);
})();
