// `node examples/code-check/run.mjs <dir> [--json]`: checks a repository with its language servers.
// Exits 1 when any file has errors, 2 when the check itself could not run.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEngine } from '@weft/engine';
import balancer from '@weft/plugin-balancer';
import cache from '@weft/plugin-cache';
import lspPlugin from '@weft/plugin-lsp';
import { languageCapabilities } from '@weft/plugin-lsp/languages';
import ml from '@weft/plugin-ml';
import { summarize } from './summary.mjs';

const PIPELINE = fileURLToPath(new URL('./pipeline.yaml', import.meta.url));

/**
 * Embedded workers that advertise only the languages whose servers can start here, so the
 * dispatcher sends each file's task to a worker able to serve it.
 */
export function codeCheckWorkers() {
  const caps = languageCapabilities();
  const ts = caps.filter((c) => c === 'lang:typescript' || c === 'lang:javascript');
  const py = caps.filter((c) => c === 'lang:python');
  return [
    { id: 'coordinator', capabilities: ['coordinate'], concurrency: 2 },
    { id: 'lsp-ts-1', capabilities: ts, concurrency: 4 },
    { id: 'lsp-ts-2', capabilities: ts, concurrency: 4 },
    { id: 'lsp-py', capabilities: py, concurrency: 4 },
  ].filter((w) => w.capabilities.length > 0);
}

/**
 * An engine for checking `root`: plugin-lsp serves the files, plugin-ml routes once it has learnt
 * (falling back to plugin-balancer's p2c while cold or unsure), plugin-cache answers repeated tasks.
 */
export async function codeCheckEngine(root, options = {}) {
  const engine = await createEngine({
    plugins: [balancer, ml, cache, { plugin: lspPlugin, config: { workspaceRoot: root, ...options.lsp } }],
    config: { workers: codeCheckWorkers(), routing: { strategy: 'p2c' } },
    ...(options.logger ? { logger: options.logger } : {}),
  });
  // A pure function of its input: opted into the cache, every field compared exactly.
  engine.registerHandler('code-check.summary', async (input) => summarize(input), { description: 'Sums up per-file diagnostics.', cache: {} });
  return engine;
}

/** One check with an engine from codeCheckEngine(); says which workers ran what, who routed, what the cache answered. */
export async function runCheck(engine, options = {}) {
  const decidedBy = {};
  const result = await engine.run(
    PIPELINE,
    { dir: '.' },
    {
      onEvent: (e) => {
        if (e.type === 'task:routed') decidedBy[e.decidedBy] = (decidedBy[e.decidedBy] ?? 0) + 1;
        options.onEvent?.(e);
      },
    },
  );
  const workers = Object.fromEntries(['typescript', 'javascript', 'python'].map((s) => [s, [...new Set(result.steps[s]?.workers ?? [])]]));
  const answeredFromCache = Object.fromEntries(Object.entries(result.steps).map(([id, r]) => [id, r.answered]));
  return { summary: result.output, workers, decidedBy, answeredFromCache, durationMs: result.durationMs };
}

/** Runs the code-check pipeline on `dir` once. */
export async function checkRepository(dir, options = {}) {
  const engine = await codeCheckEngine(resolve(dir), options);
  try {
    return await runCheck(engine, options);
  } finally {
    await engine.close();
  }
}

function print({ summary, workers, durationMs }) {
  for (const p of summary.problems)
    console.log(
      `${p.file}:${p.line + 1}:${p.character + 1}  ${p.severity.padEnd(11)} ${p.message.split('\n')[0]}${p.code === undefined ? '' : `  (${p.code})`}`,
    );
  console.log('');
  for (const [lang, s] of Object.entries(summary.languages)) {
    console.log(
      `${lang.padEnd(11)} ${String(s.files).padStart(4)} files  ${String(s.errors).padStart(4)} errors  ${String(s.warnings).padStart(4)} warnings  (workers: ${workers[lang]?.join(', ') || '-'})`,
    );
  }
  console.log(`\n${summary.files} files checked in ${(durationMs / 1000).toFixed(1)} s: ${summary.errors} errors, ${summary.warnings} warnings.`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const dir = args.find((a) => !a.startsWith('--'));
  if (!dir) {
    console.error('usage: node examples/code-check/run.mjs <dir> [--json]');
    process.exit(2);
  }
  try {
    const report = await checkRepository(dir);
    if (args.includes('--json')) console.log(JSON.stringify(report, null, 2));
    else print(report);
    process.exitCode = report.summary.ok ? 0 : 1;
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 2;
  }
}
