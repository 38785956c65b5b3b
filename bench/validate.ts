/**
 * bench:validate — the validator and the scheduler on long pipelines (issue "hardening"):
 * `weft validate` of a 100,000-step dependsOn chain (time and peak memory of the process), the
 * same at 10,000 steps for the scaling ratio (10 means linear), and an embedded run of a
 * 10,000-step chain of no-op tasks. Each measurement runs in a fresh process (bench/validate-child.mjs)
 * so its peak RSS is its own. Chains come from a seeded family: every step reads its predecessor,
 * and some also read a random earlier step (a far ancestor), have a retry policy or a timeout.
 * Seeds 1–3 were used while developing; the reported figures are the worst of held-out seeds 101–103.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { seededRandom } from '@weft/engine/util';
import { printTable, writeReport } from './lib/report.js';

const HELD_OUT_SEEDS = [101, 102, 103];
const child = fileURLToPath(new URL('./validate-child.mjs', import.meta.url));
const dir = mkdtempSync(path.join(tmpdir(), 'weft-bench-validate-'));

/** A chain of `length` steps from the family, as JSON text. */
function chainFile(length: number, seed: number): string {
  const random = seededRandom(seed);
  const steps = Array.from({ length }, (_, i) => {
    const step: Record<string, unknown> = { id: `s${i}`, task: 'noop' };
    if (i === 0) return step;
    step['dependsOn'] = [`s${i - 1}`];
    const input: Record<string, unknown> = { prev: { $ref: `steps.s${i - 1}.output` } };
    const r = random();
    if (r < 0.1) input['far'] = { $ref: `steps.s${Math.floor(random() * i)}.output.value` };
    else if (r < 0.15) step['retries'] = { attempts: 2, backoff: { delayMs: 10 } };
    else if (r < 0.2) step['timeoutMs'] = 1_000 + Math.floor(random() * 10_000);
    step['input'] = input;
    return step;
  });
  const file = path.join(dir, `chain-${length}-${seed}.json`);
  writeFileSync(file, JSON.stringify({ name: `chain-${length}-${seed}`, steps }));
  return file;
}

function measure(mode: 'validate' | 'run', arg: string): { ms: number; rssMb: number } {
  const out = execFileSync(process.execPath, [child, mode, arg], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return JSON.parse(out.trim().split('\n').pop()!) as { ms: number; rssMb: number };
}

const rows: Record<string, string | number>[] = [];
const worst = { v100kMs: 0, v100kRss: 0, v10kMs: 0, run10kMs: 0 };
try {
  for (const seed of HELD_OUT_SEEDS) {
    const big = measure('validate', chainFile(100_000, seed));
    const small = measure('validate', chainFile(10_000, seed));
    const run = measure('run', '10000');
    rows.push({
      seed,
      validate_100k_ms: Math.round(big.ms),
      validate_100k_rss_mb: Math.round(big.rssMb),
      validate_10k_ms: Math.round(small.ms),
      embedded_run_10k_ms: Math.round(run.ms),
    });
    worst.v100kMs = Math.max(worst.v100kMs, big.ms);
    worst.v100kRss = Math.max(worst.v100kRss, big.rssMb);
    worst.v10kMs = Math.max(worst.v10kMs, small.ms);
    worst.run10kMs = Math.max(worst.run10kMs, run.ms);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
printTable('bench:validate — per held-out seed (each figure from a fresh process)', rows);
writeReport(
  'validate',
  {
    validate_chain_100k_ms: Math.round(worst.v100kMs),
    validate_chain_100k_rss_mb: Math.round(worst.v100kRss),
    validate_chain_10k_ms: Math.round(worst.v10kMs),
    validate_scaling_100k_over_10k: Number((worst.v100kMs / worst.v10kMs).toFixed(2)),
    embedded_chain_10k_ms: Math.round(worst.run10kMs),
  },
  {
    validate_chain_100k_ms: { op: '<=', value: 2_000 },
    validate_chain_100k_rss_mb: { op: '<=', value: 300 },
    embedded_chain_10k_ms: { op: '<=', value: 5_000 },
  },
);
