/** `pnpm example:custom-strategy`: renders 24 thumbnails on a fleet of cheap and dear slots. */
import { fileURLToPath } from 'node:url';
import { createEngine } from '@weft/engine';
import plugin from './src/plugin.js';

export const COSTS = { spot: 1, 'on-demand': 5 } as const;

export interface ExampleSummary {
  readonly status: string;
  /** Tasks per worker id. */
  readonly perWorker: Readonly<Record<string, number>>;
  /** Sum of the cost of every task. */
  readonly cost: number;
  /** Cost had every task run on the dearest kind. */
  readonly costAllOnDemand: number;
  readonly decidedBy: readonly string[];
}

export async function runExample(images = 24): Promise<ExampleSummary> {
  const workers = [
    { id: 'spot-1', kind: 'spot', concurrency: 2 },
    { id: 'spot-2', kind: 'spot', concurrency: 2 },
    { id: 'on-demand-1', kind: 'on-demand', concurrency: 4 },
  ];
  const engine = await createEngine({
    plugins: [plugin],
    config: { workers, routing: { strategyOptions: { 'cheapest-first': { costs: COSTS } } }, seed: 1 },
  });
  const decidedBy = new Set<string>();
  try {
    const input = { images: Array.from({ length: images }, (_, i) => `photo-${String(i + 1).padStart(2, '0')}.jpg`) };
    const result = await engine.run(fileURLToPath(new URL('./pipeline.yaml', import.meta.url)), input, {
      onEvent: (e) => {
        if (e.type === 'task:routed') decidedBy.add(e.decidedBy);
      },
    });
    const perWorker: Record<string, number> = {};
    for (const r of result.outputs['render'] as { renderedBy: string }[]) perWorker[r.renderedBy] = (perWorker[r.renderedBy] ?? 0) + 1;
    const kindOf = (id: string): keyof typeof COSTS => workers.find((w) => w.id === id)!.kind as keyof typeof COSTS;
    const cost = Object.entries(perWorker).reduce((sum, [id, n]) => sum + n * COSTS[kindOf(id)], 0);
    return { status: result.status, perWorker, cost, costAllOnDemand: images * COSTS['on-demand'], decidedBy: [...decidedBy] };
  } finally {
    await engine.close();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const summary = await runExample();
  console.log(`Run ${summary.status}; routed by ${summary.decidedBy.join(', ')}`);
  console.log('Tasks per worker:');
  for (const [id, n] of Object.entries(summary.perWorker).sort()) console.log(`  ${id.padEnd(12)} ${n}`);
  console.log(`Cost ${summary.cost} (all on-demand would cost ${summary.costAllOnDemand})`);
}
