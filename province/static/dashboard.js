// Live dashboard: swaps in the fragments and table rows the server pushes (server-sent events),
// sorts the offices table by a clicked column and filters it by name (accents ignored).
(() => {
  "use strict";
  const body = document.body;
  const url = body.dataset.events;
  if (!url) return;
  const live = document.getElementById("live");
  const table = document.getElementById("offices");
  const tbody = table ? table.tBodies[0] : null;
  const filter = document.getElementById("filter");
  let sortCol = null;
  let sortDir = 1;

  const fold = (s) => s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/[đĐ]/g, "d").toLowerCase();

  function value(row, col) {
    const cell = row.cells[col];
    const raw = cell.dataset.v !== undefined ? cell.dataset.v : cell.textContent;
    const num = Number(raw);
    return raw !== "" && !Number.isNaN(num) ? num : fold(raw);
  }

  function applySort() {
    if (!tbody || sortCol === null) return;
    const rows = Array.from(tbody.rows);
    rows.sort((a, b) => {
      const x = value(a, sortCol);
      const y = value(b, sortCol);
      return (x < y ? -1 : x > y ? 1 : 0) * sortDir;
    });
    rows.forEach((r) => tbody.appendChild(r));
  }

  function applyFilter() {
    if (!tbody || !filter) return;
    const q = fold(filter.value.trim());
    for (const r of tbody.rows) r.hidden = q !== "" && !fold(r.cells[0].textContent).includes(q);
  }

  function update(msg) {
    for (const [id, html] of Object.entries(msg.fragments || {})) {
      const el = document.getElementById(id);
      if (el) el.innerHTML = html;
    }
    if (tbody && (msg.rows || msg.order)) {
      const scratch = document.createElement("tbody");
      for (const [office, html] of Object.entries(msg.rows || {})) {
        scratch.innerHTML = html;
        const fresh = scratch.rows[0];
        const old = document.getElementById("row-" + office);
        if (old) old.replaceWith(fresh);
        else tbody.appendChild(fresh);
      }
      if (msg.order) {
        const keep = new Set(msg.order);
        for (const r of Array.from(tbody.rows)) if (!keep.has(r.dataset.office)) r.remove();
        if (sortCol === null) {
          for (const office of msg.order) {
            const r = document.getElementById("row-" + office);
            if (r) tbody.appendChild(r);
          }
        }
      }
      applySort();
      applyFilter();
    }
    if (msg.version) body.dataset.version = String(msg.version);
  }

  if (table) {
    table.tHead.addEventListener("click", (e) => {
      const th = e.target.closest("th");
      if (!th) return;
      const col = Number(th.dataset.sort);
      sortDir = sortCol === col ? -sortDir : col === 0 ? 1 : -1;
      sortCol = col;
      for (const h of table.tHead.rows[0].cells) h.classList.remove("asc", "desc");
      th.classList.add(sortDir > 0 ? "asc" : "desc");
      applySort();
    });
  }
  if (filter) filter.addEventListener("input", applyFilter);

  const events = new EventSource(url);
  events.addEventListener("update", (e) => update(JSON.parse(e.data)));
  events.onopen = () => {
    if (!live) return;
    live.textContent = live.dataset.on;
    live.classList.remove("lost");
  };
  events.onerror = () => {
    if (!live) return;
    live.textContent = live.dataset.lost;
    live.classList.add("lost");
  };
})();
