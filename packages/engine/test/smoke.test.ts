import { describe, expect, it } from 'vitest';
import { pipeline, ref, stepOutput } from '@weft/engine';
import { tracedEngine } from './helpers.js';

describe('smoke', () => {
  it('runs a fan-out/fan-in pipeline', async () => {
    const { engine, spans } = await tracedEngine();
    engine.registerHandler('add', async (input: { a: number; b: number }) => input.a + input.b);
    engine.registerHandler('sum', async (input: { xs: number[] }) => input.xs.reduce((x, y) => x + y, 0));
    const p = pipeline('math')
      .step('a', 'add', { input: { a: ref('input.x'), b: 1 } })
      .step('b', 'add', { input: { a: ref('input.x'), b: 2 } })
      .step('c', 'sum', { input: { xs: [stepOutput('a'), stepOutput('b')] }, dependsOn: ['a', 'b'] })
      .build();
    const res = await engine.run(p, { x: 10 });
    expect(res.output).toEqual({ c: 23 });
    expect(spans('weft.decision.route')).toHaveLength(3);
    await engine.close();
  });
});
