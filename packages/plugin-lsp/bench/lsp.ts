/**
 * bench:lsp — per server (typescript-language-server, pyright): cold start to first diagnostics,
 * warm diagnostics after an edit, and resident memory of the server (and of its process group,
 * which holds tsserver). Baseline in the same run: the one-shot CLI (`tsc --noEmit`, `pyright`)
 * that a check without a live server would pay per run.
 *
 * The sandbox's cost: spawn to `initialize` answered, confined by bubblewrap and paths-only,
 * in alternating pairs so that both see the same machine load; the overhead is the difference of
 * the medians. The bridge runs confined (the default) everywhere else.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { promisify } from 'node:util';
import { dirname, join } from 'node:path';
import { silentLogger } from '@weft/engine';
import { LspBridge } from '@weft/plugin-lsp';
import { LanguageServer, builtinServers } from '@weft/plugin-lsp/servers';
// The bench belongs to this package, so it may use the sandbox that the package does not export.
import { createSandbox, type SandboxMode } from '../src/sandbox/server-sandbox.js';
import { percentile, printTable, writeReport, type Target } from '../../../bench/lib/report.js';

const COLD_RUNS = 3;
const WARM_RUNS = 20;
const CLI_RUNS = 3;
const START_PAIRS = 15;
const execFileAsync = promisify(execFile);
const SPAWN_PAIRS = 30;
// Node loads this CA file at start-up (tens of ms); a confined server cannot see /etc, so it skips
// the load with a warning. Unset for both modes, or the sandbox would look faster than no sandbox.
delete process.env['NODE_EXTRA_CA_CERTS'];
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

/** Spawn to `initialize` answered, in ms, in one sandbox mode (the launch, i.e. finding the installation, included). */
async function startMs(server: string, mode: SandboxMode, root: string): Promise<number> {
  const spec = builtinServers().find((s) => s.name === server)!;
  const sandbox = createSandbox({ sandbox: mode, bwrapPath: 'bwrap' }, root);
  // bubblewrap is probed once per bridge; keep that one-off out of the per-start cost (measured apart).
  if (mode === 'bwrap') await sandbox.launch(spec, root);
  const t0 = performance.now();
  const launch = await sandbox.launch(spec, root);
  const ls = await LanguageServer.start({
    spec,
    launch,
    root,
    logger: silentLogger(),
    startTimeoutMs: BRIDGE.startTimeoutMs,
    shutdownTimeoutMs: 2_000,
    maxOpenDocuments: 8,
  });
  const ms = performance.now() - t0;
  await ls.shutdown();
  return ms;
}

/**
 * bubblewrap's own cost, without a server's start-up noise around it: `node -e 0` spawned
 * bare and under the same sandbox a built-in server gets, in alternating pairs; the median of
 * the per-pair differences.
 */
async function spawnOverheadMs(root: string): Promise<{ bare: number; confined: number; overhead: number }> {
  const spec = { ...builtinServers()[0]!, args: ['-e', '0'] };
  const confinedLaunch = await createSandbox({ sandbox: 'bwrap', bwrapPath: 'bwrap' }, root).launch(spec, root);
  const run = (command: string, args: readonly string[]): Promise<number> => timed(() => execFileAsync(command, [...args]));
  const bare: number[] = [];
  const confined: number[] = [];
  for (let i = 0; i < SPAWN_PAIRS; i++) {
    bare.push(await run(spec.command, spec.args));
    confined.push(await run(confinedLaunch.command, confinedLaunch.args));
  }
  return {
    bare: percentile(bare, 50),
    confined: percentile(confined, 50),
    overhead: percentile(
      confined.map((ms, i) => ms - bare[i]!),
      50,
    ),
  };
}

/** The one-off check that bubblewrap can build a sandbox here, paid by a bridge's first start. */
function probeMs(root: string): Promise<number> {
  const sandbox = createSandbox({ sandbox: 'bwrap', bwrapPath: 'bwrap' }, root);
  const spec = builtinServers()[0]!;
  return timed(() => sandbox.launch(spec, root));
}

/** Pid of the server's own process in its group (under bubblewrap the group leader is bwrap). */
function serverProcess(pgid: number, script: string): number {
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]) !== pgid) continue;
      // `node <script> …`; bwrap's own command line holds the script too, but later.
      if (readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0')[1] === script) return Number(d);
    } catch {
      // The process ended while we looked.
    }
  }
  return pgid;
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
const sandboxRows: Record<string, string | number>[] = [];

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
    rss = rssMb(serverProcess(pid, builtinServers().find((s) => s.name === c.server)!.args[0]!));
    groupRss = groupRssMb(pid);
  } finally {
    await bridge.close();
  }

  const cli: number[] = [];
  for (let i = 0; i < CLI_RUNS; i++) cli.push(await timed(() => c.cli(root)));

  const confined: number[] = [];
  const pathsOnly: number[] = [];
  for (let i = 0; i < START_PAIRS; i++) {
    // Alternate which mode goes first, so neither always meets a warmer page cache.
    const order: SandboxMode[] = i % 2 === 0 ? ['bwrap', 'paths-only'] : ['paths-only', 'bwrap'];
    for (const mode of order) (mode === 'bwrap' ? confined : pathsOnly).push(await startMs(c.server, mode, root));
  }
  process.stdout.write(
    `${c.server}: start to initialize, confined ${confined.map(Math.round).join(' ')} ms, paths-only ${pathsOnly.map(Math.round).join(' ')} ms\n`,
  );
  rmSync(root, { recursive: true, force: true });

  const m = {
    cold_ms_p50: percentile(cold, 50),
    cold_ms_max: Math.max(...cold),
    warm_ms_p50: percentile(warm, 50),
    warm_ms_p95: percentile(warm, 95),
    rss_mb: rss,
    group_rss_mb: groupRss,
    cli_ms_p50: percentile(cli, 50),
    start_ms_p50_confined: percentile(confined, 50),
    start_ms_p50_paths_only: percentile(pathsOnly, 50),
    // Median of the per-pair differences: each pair ran back to back, under about the same load.
    sandbox_startup_overhead_ms: percentile(
      confined.map((ms, i) => ms - pathsOnly[i]!),
      50,
    ),
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
  sandboxRows.push({
    server: c.server,
    'start p50 ms, bwrap': Math.round(m.start_ms_p50_confined),
    'start p50 ms, paths-only': Math.round(m.start_ms_p50_paths_only),
    'overhead ms': Math.round(m.sandbox_startup_overhead_ms),
    'overhead %': `${((100 * m.sandbox_startup_overhead_ms) / m.start_ms_p50_paths_only).toFixed(1)}%`,
  });
}

{
  const probeRoot = mkdtempSync(join(tmpdir(), 'weft-bench-lsp-probe-'));
  const probes: number[] = [];
  for (let i = 0; i < 5; i++) probes.push(await probeMs(probeRoot));
  metrics['sandbox_probe_ms'] = Math.round(percentile(probes, 50) * 10) / 10;
  const spawn = await spawnOverheadMs(probeRoot);
  metrics['sandbox_spawn_overhead_ms'] = Math.round(spawn.overhead * 10) / 10;
  sandboxRows.push({
    server: 'node -e 0 (spawn only)',
    'start p50 ms, bwrap': Math.round(spawn.confined),
    'start p50 ms, paths-only': Math.round(spawn.bare),
    'overhead ms': Math.round(spawn.overhead),
    'overhead %': `${((100 * spawn.overhead) / spawn.bare).toFixed(1)}%`,
  });
  rmSync(probeRoot, { recursive: true, force: true });
}
// The headline: the larger of the two servers' per-start overheads.
metrics['sandbox_startup_overhead_ms'] = Math.max(...cases.map((c) => metrics[`${c.server}.sandbox_startup_overhead_ms`]!));
metrics['host.loadavg_1m_at_end'] = Math.round(loadavg()[0]! * 100) / 100;
printTable(`lsp: diagnostics latency and memory, confined (cold ${COLD_RUNS} runs, warm ${WARM_RUNS} edits, CLI ${CLI_RUNS} runs)`, rows);
printTable(
  `lsp: sandbox start-up cost, spawn to initialize (${START_PAIRS} alternating pairs; bubblewrap probe once per bridge: ${metrics['sandbox_probe_ms']} ms)`,
  sandboxRows,
);

const targets: Record<string, Target> = {
  'typescript.cold_ms_p50': { op: '<=', value: 8_000 },
  'typescript.warm_ms_p50': { op: '<=', value: 1_000 },
  'typescript.group_rss_mb': { op: '<=', value: 600 },
  'pyright.cold_ms_p50': { op: '<=', value: 8_000 },
  'pyright.warm_ms_p50': { op: '<=', value: 500 },
  'pyright.rss_mb': { op: '<=', value: 400 },
};
writeReport('lsp', metrics, targets);
