import { describe, expect, it } from 'vitest';
import { createEngine } from '@weft/engine';
import { sleep } from '@weft/engine/util';

describe('default routing', () => {
  it('spreads tasks released together across idle workers instead of piling onto one', async () => {
    const engine = await createEngine({
      config: {
        workers: [
          { id: 'a', concurrency: 2 },
          { id: 'b', concurrency: 2 },
          { id: 'c', concurrency: 2 },
        ],
      },
    });
    engine.registerHandler('list', () => [1, 2, 3, 4, 5, 6]);
    engine.registerHandler('work', async (_: unknown, ctx) => {
      await sleep(5);
      return ctx.workerId;
    });
    const res = await engine.run({
      name: 'spread',
      steps: [
        { id: 'l', task: 'list' },
        { id: 'w', task: 'work', dependsOn: ['l'], forEach: { $ref: 'steps.l.output' } },
      ],
    });
    const counts: Record<string, number> = {};
    for (const w of res.outputs['w'] as string[]) counts[w] = (counts[w] ?? 0) + 1;
    expect(counts).toEqual({ a: 2, b: 2, c: 2 });
    await engine.close();
  });
});
