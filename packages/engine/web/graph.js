// Draws a run's DAG as SVG: steps in columns by depth (longest path from a root), edges as curves.
const NS = 'http://www.w3.org/2000/svg';
const W = 170;
const H = 46;
const GAP_X = 60;
const GAP_Y = 18;

function el(name, attrs, text) {
  const node = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

function depths(steps) {
  const byId = new Map(steps.map((s) => [s.id, s]));
  const depth = new Map();
  const visit = (id, seen) => {
    if (depth.has(id)) return depth.get(id);
    if (seen.has(id)) return 0;
    seen.add(id);
    const s = byId.get(id);
    const d = s && s.deps.length > 0 ? 1 + Math.max(...s.deps.filter((x) => byId.has(x)).map((x) => visit(x, seen)), -1) : 0;
    depth.set(id, d);
    return d;
  };
  for (const s of steps) visit(s.id, new Set());
  return depth;
}

export function itemsLabel(s) {
  if (!s.items) return '';
  const done = s.items.succeeded + s.items.failed;
  const total = s.items.total === undefined ? '' : `/${s.items.total}`;
  const failed = s.items.failed > 0 ? ` · ${s.items.failed} failed` : '';
  return `${done}${total} items${failed}`;
}

export function drawGraph(container, graph) {
  const depth = depths(graph.steps);
  const columns = [];
  for (const s of graph.steps) (columns[depth.get(s.id)] ??= []).push(s);
  const pos = new Map();
  columns.forEach((col, x) => col.forEach((s, y) => pos.set(s.id, { x: 10 + x * (W + GAP_X), y: 10 + y * (H + GAP_Y) })));
  const width = 20 + columns.length * (W + GAP_X) - GAP_X;
  const height = 20 + Math.max(1, ...columns.map((c) => c.length)) * (H + GAP_Y) - GAP_Y;
  const svg = el('svg', { width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': `DAG of run ${graph.runId}` });
  for (const s of graph.steps) {
    const to = pos.get(s.id);
    for (const d of s.deps) {
      const from = pos.get(d);
      if (!from) continue;
      const x1 = from.x + W;
      const y1 = from.y + H / 2;
      const x2 = to.x;
      const y2 = to.y + H / 2;
      const mx = (x1 + x2) / 2;
      svg.append(el('path', { d: `M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2},${y2}`, 'data-edge': `${d}->${s.id}` }));
    }
  }
  for (const s of graph.steps) {
    const p = pos.get(s.id);
    const g = el('g', { class: `node node-${s.status}`, 'data-step': s.id, 'data-status': s.status, transform: `translate(${p.x},${p.y})` });
    g.append(el('title', {}, `${s.id} (${s.task}): ${s.status}${s.error ? ` — ${s.error}` : ''}`));
    g.append(el('rect', { width: W, height: H }));
    g.append(el('text', { x: 10, y: 18 }, s.id.length > 22 ? `${s.id.slice(0, 21)}…` : s.id));
    const sub = s.items ? itemsLabel(s) : `${s.status}${s.durationMs === undefined ? '' : ` · ${fmtMs(s.durationMs)}`}`;
    g.append(el('text', { x: 10, y: 36, class: 'sub', 'data-items': s.items ? String(s.items.succeeded + s.items.failed) : '' }, sub));
    svg.append(g);
  }
  container.replaceChildren(svg);
}

export function fmtMs(ms) {
  if (ms === undefined || ms === null) return '';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const m = Math.floor(ms / 60_000);
  return `${m}m ${Math.round((ms % 60_000) / 1000)}s`;
}
