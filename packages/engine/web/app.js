// The dashboard page: one event stream from the server (which alone reads Redis) keeps every table live.
import { drawGraph, fmtMs, itemsLabel } from './graph.js';

const state = { workers: [], queues: [], runs: [], decisions: [], deadLetters: [], model: undefined, cache: null, run: undefined, allowActions: false };
let source;

// Opened with ?token=…: the server set a cookie, so the token leaves the address bar.
if (new URLSearchParams(location.search).has('token')) history.replaceState(null, '', location.pathname);

function cell(text, cls) {
  const td = document.createElement('td');
  td.textContent = text;
  if (cls) td.className = cls;
  return td;
}

function row(cells, attrs = {}) {
  const tr = document.createElement('tr');
  for (const [k, v] of Object.entries(attrs)) tr.setAttribute(k, v);
  tr.append(...cells);
  return tr;
}

function ago(iso) {
  const s = (Date.now() - Date.parse(iso)) / 1000;
  if (s < 60) return `${Math.max(0, s).toFixed(1)} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  return new Date(iso).toLocaleString();
}

function link(href, text) {
  const a = document.createElement('a');
  a.href = href;
  a.textContent = text;
  a.dataset.nav = '';
  return a;
}

/** Breaker state per worker, from the newest decision that names it: refused by a breaker, or a candidate. */
function breakers(decisions) {
  const seen = new Map();
  for (const d of decisions) {
    for (const r of d.refused ?? []) if (!seen.has(r.workerId) && r.reason.startsWith('breaker-')) seen.set(r.workerId, r.reason.slice(8));
    for (const c of d.candidates) if (!seen.has(c)) seen.set(c, 'closed');
  }
  return seen;
}

function renderWorkers() {
  const breaker = breakers(state.decisions);
  const rows = state.workers.map((w) => {
    const inflight = document.createElement('td');
    const bar = document.createElement('span');
    bar.className = 'bar';
    const fill = document.createElement('span');
    fill.style.width = `${Math.min(100, (100 * w.stats.inFlight) / Math.max(1, w.concurrency))}%`;
    bar.append(fill);
    inflight.append(bar, `${w.stats.inFlight}/${w.concurrency}`);
    const b = breaker.get(w.id) ?? '—';
    return row(
      [
        cell(w.id),
        cell(w.capabilities.join(', ') || '—', 'wrap'),
        inflight,
        cell(fmtMs(w.stats.ewmaLatencyMs)),
        cell(`${Math.round(w.stats.successRate * 100)}%`),
        cell(String(w.stats.completed + w.stats.failed)),
        cell(b, `status-${b}`),
        cell(ago(w.heartbeatAt)),
        cell(w.rssBytes === undefined ? '—' : `${Math.round(w.rssBytes / 1048576)} MB`),
      ],
      { 'data-worker': w.id, ...(w.draining ? { 'data-draining': '' } : {}) },
    );
  });
  document.querySelector('#workers tbody').replaceChildren(...rows);
  document.getElementById('worker-count').textContent = `(${state.workers.length})`;
}

function renderQueues() {
  const rows = state.queues.map((q) =>
    row(
      [
        cell(q.label ?? q.queue),
        cell(String(q.waiting)),
        cell(String(q.active)),
        cell(String(q.delayed)),
        cell(String(q.failed)),
        cell(String(q.donePerSec)),
        cell(String(q.failedPerSec)),
      ],
      { 'data-queue': q.queue },
    ),
  );
  document.querySelector('#queues tbody').replaceChildren(...rows);
}

function fmtBytes(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1048576) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1048576).toFixed(1)} MB`;
}

/** "1 hit", "2 hits": a count with its noun. */
function count(n, one, many) {
  return `${n} ${n === 1 ? one : many}`;
}

function fmtRatio(r) {
  return r === null ? '—' : `${(r * 100).toFixed(1)}%`;
}

function memoryCell(c) {
  const td = document.createElement('td');
  if (c.budgetBytes > 0) {
    const bar = document.createElement('span');
    bar.className = 'bar';
    const fill = document.createElement('span');
    fill.style.width = `${Math.min(100, (100 * c.bytes) / c.budgetBytes)}%`;
    bar.append(fill);
    td.append(bar, `${fmtBytes(c.bytes)} / ${fmtBytes(c.budgetBytes)}`);
  } else td.append(fmtBytes(c.bytes));
  return td;
}

function renderCache() {
  const c = state.cache;
  const summary = document.getElementById('cache-summary');
  const table = document.getElementById('cache');
  table.hidden = !c;
  if (!c) {
    summary.textContent = 'No worker reports a cache (workers that load @weft/plugin-cache do).';
    delete summary.dataset.ratio;
    return;
  }
  const f = c.fleet;
  const outcomes = Object.entries(f.outcomes)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  summary.textContent =
    `Fleet: hit ratio ${fmtRatio(f.hitRatio)} · ${count(f.hits, 'hit', 'hits')} of ${count(f.lookups, 'lookup', 'lookups')}${outcomes ? ` (${outcomes})` : ''}` +
    ` · ${count(f.entries, 'entry', 'entries')} · ${fmtBytes(f.bytes)}${f.budgetBytes > 0 ? ` of ${fmtBytes(f.budgetBytes)}` : ''} in memory`;
  summary.dataset.ratio = f.hitRatio === null ? '' : String(f.hitRatio);
  const rows = c.workers.map((w) =>
    row([cell(w.worker), cell(fmtRatio(w.hitRatio)), cell(String(w.hits)), cell(String(w.misses)), cell(String(w.entries)), memoryCell(w)], {
      'data-worker': w.worker,
    }),
  );
  document.querySelector('#cache tbody').replaceChildren(...rows);
}

function renderRuns() {
  const rows = state.runs.map((r) => {
    const id = document.createElement('td');
    id.append(link(`/runs/${encodeURIComponent(r.runId)}`, r.runId));
    return row([id, cell(r.pipeline), cell(r.state, `status-${r.status}`), cell(ago(r.startedAt)), cell(fmtMs(r.durationMs))], {
      'data-run': r.runId,
      'data-status': r.status,
    });
  });
  document.querySelector('#runs tbody').replaceChildren(...rows);
  document.getElementById('run-count').textContent = `(${state.runs.length})`;
}

function renderDecisions() {
  const rows = state.decisions.map((d) => {
    const scores = new Map((d.scores ?? []).map((s) => [s.workerId, s.score]));
    const candidates = d.candidates.map((c) => (scores.has(c) ? `${c} (${scores.get(c)})` : c)).join(', ');
    return row([cell(ago(d.at)), cell(d.taskId), cell(candidates, 'wrap candidates'), cell(d.workerId), cell(d.decidedBy), cell(d.reason, 'wrap')], {
      'data-task': d.taskId,
    });
  });
  document.querySelector('#decisions tbody').replaceChildren(...rows);
}

function renderDeadLetters() {
  const rows = state.deadLetters.map((d) => {
    const task = document.createElement('td');
    task.append(link(`/runs/${encodeURIComponent(d.runId)}`, `${d.stepId}${d.itemIndex === undefined ? '' : `[${d.itemIndex}]`}`));
    const actions = document.createElement('td');
    if (state.allowActions) {
      const b = document.createElement('button');
      b.textContent = 'replay';
      b.dataset.action = 'replay';
      b.onclick = () => void act('replay', `/api/dead-letters/${encodeURIComponent(d.id)}/replay`, actions);
      actions.append(b);
    }
    return row([cell(ago(d.at)), task, cell(d.taskType), cell(`${d.error.code}: ${d.error.message}`, 'wrap'), cell(String(d.attempts)), actions], {
      'data-dead-letter': d.id,
    });
  });
  document.querySelector('#dead-letters tbody').replaceChildren(...rows);
}

function renderModel() {
  const m = state.model;
  if (!m) return;
  const skill = m.skill === undefined ? 'not measured yet' : `${(m.skill * 100).toFixed(1)}% better than the baseline`;
  document.getElementById('model').textContent =
    `version ${m.version} · ${m.samples ?? '?'} samples · skill ${skill}${m.trainedAt ? ` · trained ${ago(m.trainedAt)}` : ''}`;
}

function renderRun() {
  const g = state.run;
  if (!g) return;
  document.getElementById('run-title').textContent = `Run ${g.runId} of “${g.pipeline}”`;
  const summary = document.getElementById('run-summary');
  summary.className = `status-${g.status}`;
  summary.dataset.status = g.status;
  summary.textContent = `${g.state}${g.durationMs === undefined ? '' : ` in ${fmtMs(g.durationMs)}`}${g.error ? ` — ${g.error}` : ''}`;
  drawGraph(document.getElementById('run-graph'), g);
  const rows = g.steps.map((s) =>
    row([cell(s.id), cell(s.task), cell(s.status, `status-${s.status}`), cell(itemsLabel(s)), cell(fmtMs(s.durationMs)), cell(s.workers.join(', '), 'wrap')], {
      'data-step': s.id,
    }),
  );
  document.querySelector('#run-steps tbody').replaceChildren(...rows);
  const actions = document.getElementById('run-actions');
  actions.replaceChildren();
  if (state.allowActions && (g.status === 'running' || g.status === 'queued')) {
    for (const kind of ['cancel', 'resume']) {
      const b = document.createElement('button');
      b.textContent = kind;
      b.dataset.action = kind;
      b.onclick = () => void act(kind, `/api/runs/${encodeURIComponent(g.runId)}/${kind}`, actions);
      actions.append(b);
    }
  }
}

async function act(kind, path, where) {
  const res = await fetch(path, { method: 'POST', headers: { 'X-Weft-Action': kind } });
  const body = await res.json();
  where.append(` ${res.ok ? `${kind} requested` : body.message}`);
}

const render = {
  workers: renderWorkers,
  queues: renderQueues,
  runs: renderRuns,
  decisions: () => (renderDecisions(), renderWorkers()),
  model: renderModel,
  cache: renderCache,
  deadLetters: renderDeadLetters,
  run: renderRun,
};

function connect(runId) {
  source?.close();
  const live = document.getElementById('live');
  source = new EventSource(runId ? `/events?run=${encodeURIComponent(runId)}` : '/events');
  source.onopen = () => ((live.textContent = 'live'), (live.className = 'pill on'));
  source.onerror = () => ((live.textContent = 'reconnecting'), (live.className = 'pill off'));
  source.addEventListener('prefix', (e) => (document.getElementById('prefix').textContent = JSON.parse(e.data)));
  for (const name of Object.keys(render)) {
    source.addEventListener(name, (e) => {
      state[name] = JSON.parse(e.data);
      if (name !== 'run' || state.run?.runId === runId) render[name]();
      document.body.dataset.updated = String(Date.now());
    });
  }
}

async function route() {
  const m = location.pathname.match(/^\/runs\/(.+)$/);
  const runId = m ? decodeURIComponent(m[1]) : undefined;
  document.getElementById('overview').hidden = runId !== undefined;
  document.getElementById('run-page').hidden = runId === undefined;
  state.run = undefined;
  if (runId) {
    document.getElementById('run-graph').replaceChildren();
    const res = await fetch(`/api/runs/${encodeURIComponent(runId)}`);
    if (res.ok) {
      state.run = await res.json();
      renderRun();
    } else document.getElementById('run-title').textContent = (await res.json()).message;
  }
  connect(runId);
}

document.addEventListener('click', (e) => {
  const a = e.target.closest('a[data-nav]');
  if (!a || e.metaKey || e.ctrlKey) return;
  e.preventDefault();
  history.pushState(null, '', a.getAttribute('href'));
  void route();
});
window.addEventListener('popstate', () => void route());

const config = await (await fetch('/api/config')).json();
state.allowActions = config.allowActions;
await route();
