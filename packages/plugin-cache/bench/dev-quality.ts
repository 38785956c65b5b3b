/** Development loop: quality on the development seeds (1–5), per class. Not part of bench:cache's reported figures. */
import { quality, typePrecision, typeRecall } from './quality.js';
import { WORKLOAD_POLICIES } from './workload.js';

const seeds = (process.env['SEEDS'] ?? '1,2,3,4,5').split(',').map(Number);
for (const seed of seeds) {
  const q = await quality(WORKLOAD_POLICIES, seed);
  process.stdout.write(`seed ${seed}: recall ${q.recall.toFixed(4)} precision ${q.precision.toFixed(4)} hits ${q.hits} false ${q.falseHits}\n`);
  for (const [type, t] of q.byType) process.stdout.write(`  ${type.padEnd(16)} recall ${typeRecall(t).toFixed(3)} precision ${typePrecision(t).toFixed(4)}\n`);
  if (process.env['CLASSES'])
    for (const [l, t] of [...q.byLabel].sort())
      process.stdout.write(`    ${l.padEnd(44)} n ${String(t.n).padStart(5)} hits ${String(t.hits).padStart(5)} wrong ${t.wrong}\n`);
}
