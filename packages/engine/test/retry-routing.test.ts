import { describe, expect, it } from 'vitest';
import { createEngine, definePlugin, type BalancingStrategy } from '@weft/engine';

/** Always the first candidate: without the retry rule, every attempt would go back to the same worker. */
const first: BalancingStrategy = { name: 'first', select: (_task, candidates) => ({ workerId: candidates[0]!.id }) };
const firstPlugin = definePlugin({ name: 'first-strategy', version: '1.0.0', engine: '^0.1.0', setup: (ctx) => ctx.registerStrategy(first) });

describe('retry routing', () => {
  it('sends a retry to another capable worker than the one that failed the previous attempt', async () => {
    const engine = await createEngine({
      config: {
        workers: [
          { id: 'a', concurrency: 1 },
          { id: 'b', concurrency: 1 },
          { id: 'c', concurrency: 1 },
        ],
        routing: { strategy: 'first' },
      },
      plugins: [firstPlugin],
    });
    try {
      const tried: string[] = [];
      engine.registerHandler('flaky', (_: unknown, ctx) => {
        tried.push(ctx.workerId);
        if (tried.length < 3) throw new Error(`failed on ${ctx.workerId}`);
        return ctx.workerId;
      });
      const res = await engine.run({ name: 'p', steps: [{ id: 'f', task: 'flaky', retries: { attempts: 3, backoff: { delayMs: 1, jitter: 0 } } }] });
      expect(res.status).toBe('succeeded');
      // a fails, the retry avoids a (b), b fails, the next avoids b (a again is fine: it is not the last to fail).
      expect(tried).toEqual(['a', 'b', 'a']);
    } finally {
      await engine.close();
    }
  });

  it('goes back to the failed worker when it is the only capable one', async () => {
    const engine = await createEngine({ config: { workers: [{ id: 'only', concurrency: 1 }] } });
    try {
      const tried: string[] = [];
      engine.registerHandler('flaky', (_: unknown, ctx) => {
        tried.push(ctx.workerId);
        if (tried.length < 2) throw new Error('first attempt fails');
        return 'ok';
      });
      const res = await engine.run({ name: 'p', steps: [{ id: 'f', task: 'flaky', retries: { attempts: 2, backoff: { delayMs: 1, jitter: 0 } } }] });
      expect(res.status).toBe('succeeded');
      expect(tried).toEqual(['only', 'only']);
    } finally {
      await engine.close();
    }
  });
});
