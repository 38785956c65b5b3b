import { describe, expect, it } from 'vitest';
import { createEngine, definePlugin, NonRetryableError } from '@weft/engine';

describe('hooks', () => {
  it('fire in the documented order, plugins in load order', async () => {
    const events: string[] = [];
    const record = (owner: string) =>
      definePlugin({
        name: owner,
        version: '1.0.0',
        engine: '*',
        setup(ctx) {
          ctx.on('pipeline:start', (e) => void events.push(`${owner} pipeline:start ${e.pipeline}`));
          ctx.on('task:before', (t) => void events.push(`${owner} task:before ${t.stepId}`));
          ctx.on('route:before', (e) => void events.push(`${owner} route:before ${e.task.stepId} [${e.candidates.map((c) => c.id).join(',')}]`));
          ctx.on('route:after', (e) => void events.push(`${owner} route:after ${e.task.stepId} -> ${e.decision.workerId}`));
          ctx.on('task:after', (o) => void events.push(`${owner} task:after ${o.task.stepId} ok=${o.ok}`));
          ctx.on('task:error', (o) => void events.push(`${owner} task:error ${o.task.stepId} retry=${o.willRetry}`));
          ctx.on('pipeline:end', (e) => void events.push(`${owner} pipeline:end ${e.status}`));
        },
      });
    const engine = await createEngine({ plugins: [record('A'), record('B')] });
    let n = 0;
    engine.registerHandler('t', () => {
      if (n++ === 0) throw new Error('once');
      return 1;
    });
    await engine.run({ name: 'p', steps: [{ id: 's', task: 't', retries: { attempts: 1, backoff: { delayMs: 1 } } }] });
    expect(events).toEqual([
      'A pipeline:start p',
      'B pipeline:start p',
      'A task:before s',
      'B task:before s',
      'A route:before s [local]',
      'B route:before s [local]',
      'A route:after s -> local',
      'B route:after s -> local',
      'A task:error s retry=true',
      'B task:error s retry=true',
      'A task:before s',
      'B task:before s',
      'A route:before s [local]',
      'B route:before s [local]',
      'A route:after s -> local',
      'B route:after s -> local',
      'A task:after s ok=true',
      'B task:after s ok=true',
      'A pipeline:end succeeded',
      'B pipeline:end succeeded',
    ]);
    await engine.close();
  });

  it('task:before may answer a task so its handler never runs, and later hooks are not asked', async () => {
    const asked: string[] = [];
    const answering = definePlugin({
      name: 'memo',
      version: '1.0.0',
      engine: '*',
      setup(ctx) {
        ctx.on('task:before', (t) => {
          asked.push('memo');
          return t.input === 'known' ? { output: 'remembered', answeredBy: 'memo' } : undefined;
        });
      },
    });
    const second = definePlugin({ name: 'second', version: '1.0.0', engine: '*', setup: (ctx) => ctx.on('task:before', () => void asked.push('second')) });
    const engine = await createEngine({ plugins: [answering, second] });
    let ran = 0;
    engine.registerHandler('compute', (x: string) => {
      ran++;
      return `computed ${x}`;
    });
    const res = await engine.run({
      name: 'p',
      steps: [
        { id: 'a', task: 'compute', input: 'known' },
        { id: 'b', task: 'compute', input: 'new', dependsOn: ['a'] },
      ],
    });
    expect(res.outputs).toEqual({ a: 'remembered', b: 'computed new' });
    expect(ran).toBe(1);
    expect(asked).toEqual(['memo', 'memo', 'second']);
    expect(res.steps['a']).toMatchObject({ answered: 1, attempts: 0 });
    await engine.close();
  });

  it('pipeline:end reports a failed run with its error', async () => {
    const ends: { status: string; code?: string }[] = [];
    const engine = await createEngine();
    engine.on('pipeline:end', (e) => void ends.push({ status: e.status, code: (e.error as { code?: string } | undefined)?.code }));
    engine.registerHandler('bad', () => {
      throw new NonRetryableError('no');
    });
    await expect(engine.run({ name: 'p', steps: [{ id: 'x', task: 'bad' }] })).rejects.toThrow();
    expect(ends).toEqual([{ status: 'failed', code: 'WEFT_RUN_FAILED' }]);
    await engine.close();
  });

  it('a task stopped by cancellation still reaches task:error, so hooks can release what they reserved', async () => {
    const engine = await createEngine();
    const errors: { step: string; willRetry: boolean; code?: string }[] = [];
    engine.on('task:error', (e) => void errors.push({ step: e.task.stepId, willRetry: e.willRetry, code: (e.error as { code?: string }).code }));
    const controller = new AbortController();
    engine.registerHandler('hang', (_: unknown, ctx) => {
      setTimeout(() => controller.abort(), 5);
      return new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)));
    });
    await expect(engine.run({ name: 'p', steps: [{ id: 'h', task: 'hang' }] }, {}, { signal: controller.signal })).rejects.toMatchObject({
      code: 'WEFT_RUN_CANCELLED',
    });
    expect(errors).toEqual([{ step: 'h', willRetry: false, code: 'WEFT_RUN_CANCELLED' }]);
    await engine.close();
  });

  it('runs every hook of an observing event, even when an earlier one returns a value; only task:before stops at an answer', async () => {
    const engine = await createEngine();
    const fired: string[] = [];
    // Each first hook returns what Array#push returns (a number), as `(e) => log.push(e)` does.
    engine.on('pipeline:start', () => fired.push('pipeline:start 1'));
    engine.on('pipeline:start', () => void fired.push('pipeline:start 2'));
    engine.on('route:before', () => fired.push('route:before 1'));
    engine.on('route:before', () => void fired.push('route:before 2'));
    engine.on('route:after', () => fired.push('route:after 1'));
    engine.on('route:after', () => void fired.push('route:after 2'));
    engine.on('task:error', () => fired.push('task:error 1'));
    engine.on('task:error', () => void fired.push('task:error 2'));
    engine.on('task:after', () => fired.push('task:after 1'));
    engine.on('task:after', () => void fired.push('task:after 2'));
    engine.on('pipeline:end', () => fired.push('pipeline:end 1'));
    engine.on('pipeline:end', () => void fired.push('pipeline:end 2'));
    engine.on('task:before', (t) => (t.input === 'known' ? { output: 'answered' } : undefined));
    engine.on('task:before', (t) => void fired.push(`task:before 2 ${t.stepId}`));
    let n = 0;
    engine.registerHandler('t', (x: string) => {
      if (n++ === 0) throw new Error('once');
      return x;
    });
    const res = await engine.run({
      name: 'p',
      steps: [
        { id: 'a', task: 't', input: 'known' },
        { id: 'b', task: 't', input: 'new', dependsOn: ['a'], retries: { attempts: 1, backoff: { delayMs: 1 } } },
      ],
    });
    expect(res.outputs).toEqual({ a: 'answered', b: 'new' });
    for (const hook of ['pipeline:start', 'route:before', 'route:after', 'task:error', 'task:after', 'pipeline:end']) {
      const count = (k: number): number => fired.filter((f) => f === `${hook} ${k}`).length;
      expect(count(2), `${hook}: the second hook ran as often as the first`).toBe(count(1));
      expect(count(1), hook).toBeGreaterThan(0);
    }
    // task:before: the first hook answered step a, so the second was asked only about b (twice: a retry).
    expect(fired.filter((f) => f.startsWith('task:before'))).toEqual(['task:before 2 b', 'task:before 2 b']);
    await engine.close();
  });

  it('a bulkhead-style release in a later task:after hook still runs after a hook that returns a value', async () => {
    const engine = await createEngine();
    let inFlight = 0;
    engine.on('route:after', () => void inFlight++);
    engine.on('task:after', (o) => o.ok);
    engine.on('task:after', () => void inFlight--);
    engine.registerHandler('t', (x: number) => x);
    await engine.run({ name: 'p', steps: Array.from({ length: 5 }, (_, i) => ({ id: `s${i}`, task: 't', input: i })) });
    expect(inFlight).toBe(0);
    await engine.close();
  });
});
