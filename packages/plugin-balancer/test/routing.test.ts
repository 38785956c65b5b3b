import { describe, expect, it } from 'vitest';
import { pipeline, ref, type HandlerContext } from '@weft/engine';
import { Attr, SpanNames } from '@weft/engine/tracing';
import balancer, { BalancerStatsToken } from '@weft/plugin-balancer';
import { tracedEngine } from './helpers.js';

const workers = [
  { id: 'a', concurrency: 4 },
  { id: 'b', concurrency: 4, weight: 3 },
  { id: 'c', concurrency: 4 },
];

describe('routing through the engine', () => {
  it('writes route spans with the strategy, candidates, top scores, choice and reason', async () => {
    const { engine, spans } = await tracedEngine({ config: { workers, routing: { strategy: 'hybrid' } }, plugins: [balancer] });
    engine.registerHandler('work', async (_i: unknown, ctx: HandlerContext) => ctx.workerId);
    await engine.run(pipeline('p').step('s', 'work', { cache: false }).build());
    const [route] = spans(SpanNames.DECISION_ROUTE);
    const a = route!.attributes;
    expect(a[Attr.DECISION_STRATEGY]).toBe('hybrid');
    expect(a[Attr.DECISION_CANDIDATE_COUNT]).toBe(3);
    expect(a[Attr.DECISION_CANDIDATES]).toEqual(['a', 'b', 'c']);
    expect(['a', 'b', 'c']).toContain(a[Attr.DECISION_CHOICE]);
    expect(String(a[Attr.DECISION_REASON])).toMatch(/^hybrid score \d/);
    const scores = a[Attr.DECISION_SCORES] as string[];
    expect(scores).toHaveLength(3);
    expect(scores[0]).toMatch(new RegExp(`^${String(a[Attr.DECISION_CHOICE])}=\\d`));
    await engine.close();
  });

  it('uses the strategy a step or pipeline names, and maps task types with byTaskType', async () => {
    const { engine, spans } = await tracedEngine({
      config: { workers, routing: { strategy: 'by-task-type' } },
      plugins: [
        { plugin: balancer, config: { byTaskType: { index: { type: 'consistent-hash', options: { loadFactor: 2 } } }, defaultStrategy: 'round-robin' } },
      ],
    });
    engine.registerHandler('index', async (_i: unknown, ctx: HandlerContext) => ctx.workerId);
    engine.registerHandler('lint', async (_i: unknown, ctx: HandlerContext) => ctx.workerId);
    const p = pipeline('p')
      .configure({ maxParallel: 1 })
      .step('idx', 'index', { forEach: ref('input.files'), key: ref('item'), cache: false })
      .step('lint', 'lint', { forEach: ref('input.files'), cache: false })
      .step('weighted', 'lint', { forEach: ref('input.files'), strategy: 'weighted-round-robin', cache: false })
      .build();
    const files = ['x.py', 'x.py', 'x.py', 'y.py', 'z.py', 'x.py'];
    const res = await engine.run(p, { files });
    const idx = res.outputs['idx'] as string[];
    // The same key lands on the same worker every time.
    expect(new Set([idx[0], idx[1], idx[2], idx[5]]).size).toBe(1);
    const byStep = (step: string) => spans(SpanNames.DECISION_ROUTE).filter((s) => String(s.attributes[Attr.TASK_ID]).includes(`:${step}[`));
    expect(byStep('idx').every((s) => String(s.attributes[Attr.DECISION_REASON]).startsWith('index → consistent-hash'))).toBe(true);
    expect(byStep('lint').every((s) => String(s.attributes[Attr.DECISION_REASON]).startsWith('lint → round-robin'))).toBe(true);
    expect(new Set(res.outputs['lint'] as string[])).toEqual(new Set(['a', 'b', 'c']));
    expect(byStep('weighted').every((s) => s.attributes[Attr.DECISION_STRATEGY] === 'weighted-round-robin')).toBe(true);
    // Smooth weighted round-robin over weights 1:3:1 for six tasks: b, a, b, c, b, b.
    expect(res.outputs['weighted']).toEqual(['b', 'a', 'b', 'c', 'b', 'b']);

    const snap = engine.container.resolve(BalancerStatsToken).snapshot();
    expect(snap.totalDecisions).toBe(18);
    expect(snap.workers.reduce((n, w) => n + w.decisions, 0)).toBe(18);
    expect(snap.workers.reduce((n, w) => n + (w.byStrategy['weighted-round-robin'] ?? 0), 0)).toBe(6);
    await engine.close();
  });
});
