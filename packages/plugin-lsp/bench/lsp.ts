/**
 * bench:lsp — per server (typescript-language-server, pyright): cold start to first diagnostics,
 * warm diagnostics after an edit, and resident memory of the server (and of its process group,
 * which holds tsserver). Baseline in the same run: the one-shot CLI (`tsc --noEmit`, `pyright`)
 * that a check without a live server would pay per run.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { LspBridge } from '@weft/plugin-lsp';
import { percentile, printTable, writeReport, type Target } from '../../../bench/lib/report.js';

const COLD_RUNS = 3;
const WARM_RUNS = 20;
const CLI_RUNS = 3;
const require = createRequire(import.meta.url);
// Generous limits: on a contended machine a cold project can take tens of seconds, and the
// benchmark should report that, not fail on it.
const BRIDGE = { requestTimeoutMs: 120_000, startTimeoutMs: 120_000 };

interface ServerCase {
  readonly server: string;
  readonly file: string;
  /** The file's text for warm run i: a different error each time, so every check is real work. */
  readonly text: (i: number) => string;
  readonly files: Record<string, string>;
  readonly cli: (root: string) => void;
}

const cases: ServerCase[] = [
  {
    server: 'typescript',
    file: 'src/main.ts',
    text: (i) => `import { total } from './util.js';\nexport const n${i}: number = total([1, 2, ${i}]);\nexport const s${i}: string = ${i};\n`,
    files: {
      'tsconfig.json': JSON.stringify({ compilerOptions: { strict: true, target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', noEmit: true } }),
      'src/util.ts': 'export function total(xs: number[]): number {\n  return xs.reduce((a, b) => a + b, 0);\n}\n',
    },
    cli: (root) => {
      try {
        execFileSync(process.execPath, [require.resolve('typescript/lib/tsc.js'), '--noEmit', '-p', root], { stdio: 'ignore' });
      } catch {
        // tsc exits non-zero when it finds the (intended) errors.
      }
    },
  },
  {
    server: 'pyright',
    file: 'app/main.py',
    text: (i) => `from app.util import total\n\nn${i}: int = total([1, 2, ${i}])\ns${i}: str = ${i}\n`,
    files: { 'app/__init__.py': '', 'app/util.py': 'def total(xs: list[int]) -> int:\n    return sum(xs)\n' },
    cli: (root) => {
      try {
        execFileSync(process.execPath, [require.resolve('pyright/index.js'), join(root, 'app/main.py')], { cwd: root, stdio: 'ignore' });
      } catch {
        // pyright exits non-zero when it finds the (intended) errors.
      }
    },
  },
];

function workspace(c: ServerCase): string {
  const root = mkdtempSync(join(tmpdir(), `weft-bench-lsp-${c.server}-`));
  for (const [rel, text] of Object.entries({ ...c.files, [c.file]: c.text(0) })) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  return root;
}

/** VmRSS of one process, in MB. */
function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** Summed VmRSS of every process in the group `pgid` (the server and the helpers it spawned). */
function groupRssMb(pgid: number): number {
  let total = 0;
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]) === pgid) total += rssMb(Number(d));
    } catch {
      // The process ended while we looked.
    }
  }
  return total;
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

// Latency here is CPU-bound: the load average says how contended the machine was during the run.
const metrics: Record<string, number> = { 'host.loadavg_1m_at_start': Math.round(loadavg()[0]! * 100) / 100 };
const rows: Record<string, string | number>[] = [];

for (const c of cases) {
  const cold: number[] = [];
  for (let i = 0; i < COLD_RUNS; i++) {
    const root = workspace(c);
    const bridge = new LspBridge({ workspaceRoot: root, ...BRIDGE });
    try {
      cold.push(await timed(() => bridge.diagnostics({ file: c.file })));
    } finally {
      await bridge.close();
      rmSync(root, { recursive: true, force: true });
    }
    process.stdout.write(`${c.server}: cold run ${i + 1}/${COLD_RUNS} ${cold.at(-1)!.toFixed(0)} ms\n`);
  }

  const root = workspace(c);
  const bridge = new LspBridge({ workspaceRoot: root, ...BRIDGE });
  const warm: number[] = [];
  let rss = NaN;
  let groupRss = NaN;
  try {
    const first = await bridge.diagnostics({ file: c.file });
    if (first.counts.error === 0) throw new Error(`${c.server}: the benchmark file should have errors`);
    for (let i = 1; i <= WARM_RUNS; i++) {
      writeFileSync(join(root, c.file), c.text(i));
      let errors = 0;
      warm.push(
        await timed(async () => {
          errors = (await bridge.diagnostics({ file: c.file })).counts.error;
        }),
      );
      if (errors === 0) throw new Error(`${c.server}: warm run ${i} saw no errors`);
    }
    const pid = bridge.servers()[0]!.pid;
    rss = rssMb(pid);
    groupRss = groupRssMb(pid);
  } finally {
    await bridge.close();
  }

  const cli: number[] = [];
  for (let i = 0; i < CLI_RUNS; i++) cli.push(await timed(() => c.cli(root)));
  rmSync(root, { recursive: true, force: true });

  const m = {
    cold_ms_p50: percentile(cold, 50),
    cold_ms_max: Math.max(...cold),
    warm_ms_p50: percentile(warm, 50),
    warm_ms_p95: percentile(warm, 95),
    rss_mb: rss,
    group_rss_mb: groupRss,
    cli_ms_p50: percentile(cli, 50),
  };
  for (const [k, v] of Object.entries(m)) metrics[`${c.server}.${k}`] = Math.round(v * 10) / 10;
  rows.push({
    server: c.server,
    'cold p50 ms': Math.round(m.cold_ms_p50),
    'cold max ms': Math.round(m.cold_ms_max),
    'warm p50 ms': Math.round(m.warm_ms_p50),
    'warm p95 ms': Math.round(m.warm_ms_p95),
    'server RSS MB': Math.round(m.rss_mb),
    'group RSS MB': Math.round(m.group_rss_mb),
    'CLI baseline p50 ms': Math.round(m.cli_ms_p50),
    'warm speed-up vs CLI': `${(m.cli_ms_p50 / m.warm_ms_p50).toFixed(1)}x`,
  });
}

metrics['host.loadavg_1m_at_end'] = Math.round(loadavg()[0]! * 100) / 100;
printTable(`lsp: diagnostics latency and memory (cold ${COLD_RUNS} runs, warm ${WARM_RUNS} edits, CLI ${CLI_RUNS} runs)`, rows);

const targets: Record<string, Target> = {
  'typescript.cold_ms_p50': { op: '<=', value: 8_000 },
  'typescript.warm_ms_p50': { op: '<=', value: 1_000 },
  'typescript.group_rss_mb': { op: '<=', value: 600 },
  'pyright.cold_ms_p50': { op: '<=', value: 8_000 },
  'pyright.warm_ms_p50': { op: '<=', value: 500 },
  'pyright.rss_mb': { op: '<=', value: 400 },
};
writeReport('lsp', metrics, targets);
