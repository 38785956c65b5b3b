import { describe, expect, it } from 'vitest';
import { createEngine, pipeline } from '@weft/engine';
import balancer, { BalancerStatsToken } from '@weft/plugin-balancer';

describe('the README example', () => {
  it('runs with a named default strategy and a step that names its own', async () => {
    const engine = await createEngine({
      plugins: [balancer],
      config: {
        workers: [
          { id: 'fast', concurrency: 8 },
          { id: 'slow', concurrency: 2 },
        ],
        routing: { strategy: 'p2c' },
      },
    });
    engine.registerHandler('lint', async (input: { file: string }) => ({ file: input.file, ok: true }));
    const res = await engine.run(
      pipeline('lint-all')
        .step('lint', 'lint', { input: { file: 'a.ts' }, strategy: 'hybrid' })
        .build(),
    );
    expect(res.output).toEqual({ lint: { file: 'a.ts', ok: true } });
    const [w] = engine.container.resolve(BalancerStatsToken).snapshot().workers;
    expect(w).toMatchObject({ decisions: 1, byStrategy: { hybrid: 1 }, breaker: 'closed' });
    await engine.close();
  });

  it('leaves the breaker out when configured off', async () => {
    const engine = await createEngine({ plugins: [{ plugin: balancer, config: { breaker: false } }], config: { routing: { strategy: 'random' } } });
    engine.registerHandler('t', async () => 1);
    await engine.run(pipeline('p').step('t', 't').build());
    const [w] = engine.container.resolve(BalancerStatsToken).snapshot().workers;
    expect(w).toMatchObject({ decisions: 1, byStrategy: { random: 1 } });
    expect(w).not.toHaveProperty('breaker');
    await engine.close();
  });
});
