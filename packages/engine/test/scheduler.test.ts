import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { createEngine, NonRetryableError, type Engine, type PipelineDefinition } from '@weft/engine';
import { sleep } from '@weft/engine/util';
import { failure, tracedEngine } from './helpers.js';

let engine: Engine | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await engine?.close();
  engine = undefined;
});

describe('scheduler', () => {
  it('runs independent steps in parallel up to maxParallel and no further', async () => {
    engine = await createEngine();
    let active = 0;
    let peak = 0;
    engine.registerHandler('work', async () => {
      peak = Math.max(peak, ++active);
      await sleep(15);
      active--;
    });
    const steps = Array.from({ length: 6 }, (_, i) => ({ id: `s${i}`, task: 'work' }));
    await engine.run({ name: 'p', maxParallel: 3, steps });
    expect(peak).toBe(3);
  });

  it('respects an embedded worker slot concurrency below maxParallel', async () => {
    engine = await createEngine({ config: { workers: [{ id: 'only', concurrency: 2 }] } });
    let active = 0;
    let peak = 0;
    engine.registerHandler('work', async () => {
      peak = Math.max(peak, ++active);
      await sleep(10);
      active--;
    });
    await engine.run({ name: 'p', steps: Array.from({ length: 5 }, (_, i) => ({ id: `s${i}`, task: 'work' })) });
    expect(peak).toBe(2);
  });

  it('passes outputs from fan-out steps into a fan-in step and forEach items', async () => {
    engine = await createEngine();
    engine.registerHandler('list', () => ['a.ts', 'b.py', 'c.ts']);
    engine.registerHandler('len', (s: { name: string; i: number }) => ({ name: s.name, i: s.i, n: s.name.length }));
    engine.registerHandler('count', (x: { files: { name: string }[]; base: number }) => x.base + x.files.length);
    const p: PipelineDefinition = {
      name: 'fan',
      steps: [
        { id: 'scan', task: 'list' },
        { id: 'each', task: 'len', dependsOn: ['scan'], forEach: { $ref: 'steps.scan.output' }, input: { name: { $ref: 'item' }, i: { $ref: 'index' } } },
        { id: 'sum', task: 'count', dependsOn: ['each'], input: { files: { $ref: 'steps.each.output' }, base: { $ref: 'input.base' } } },
      ],
      output: { total: { $ref: 'steps.sum.output' }, first: { $ref: 'steps.each.output[0].name' } },
    };
    const res = await engine.run(p, { base: 100 });
    expect(res.output).toEqual({ total: 103, first: 'a.ts' });
    expect(res.outputs['each']).toEqual([
      { name: 'a.ts', i: 0, n: 4 },
      { name: 'b.py', i: 1, n: 4 },
      { name: 'c.ts', i: 2, n: 4 },
    ]);
    expect(res.steps['each']?.items).toBe(3);
  });

  it('retries with exponential backoff on the documented schedule', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    engine = await createEngine();
    const calls: number[] = [];
    engine.registerHandler('flaky', () => {
      calls.push(Date.now());
      if (calls.length < 3) throw new Error(`flake ${calls.length}`);
      return 'ok';
    });
    const done = engine.run({ name: 'p', steps: [{ id: 'f', task: 'flaky', retries: { attempts: 3, backoff: { delayMs: 1000, jitter: 0 } } }] });
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(999);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1999);
    expect(calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    const res = await done;
    expect(calls).toHaveLength(3);
    expect(res.steps['f']).toMatchObject({ status: 'succeeded', attempts: 3 });
  });

  it('gives up after the last attempt with the cause in the run error', async () => {
    engine = await createEngine();
    let n = 0;
    engine.registerHandler('broken', () => {
      throw new Error(`disk full ${++n}`);
    });
    const err = await failure(engine.run({ name: 'p', steps: [{ id: 'b', task: 'broken', retries: { attempts: 2, backoff: { delayMs: 1 } } }] }));
    expect(n).toBe(3);
    expect(err.code).toBe('WEFT_RUN_FAILED');
    expect(err.failures).toEqual([{ stepId: 'b', code: 'WEFT_TASK_FAILED', message: 'Task "b" (broken) failed on worker local: disk full 3' }]);
    expect(err.message).toContain('failed in 1 step:\n  - step "b": WEFT_TASK_FAILED: Task "b" (broken) failed on worker local: disk full 3');
  });

  it('does not retry invalid input or NonRetryableError', async () => {
    engine = await createEngine();
    let runs = 0;
    engine.registerHandler('typed', () => runs++, { inputSchema: z.object({ n: z.number() }), retries: 5 });
    engine.registerHandler('fatal', () => {
      runs++;
      throw new NonRetryableError('licence revoked');
    });
    const err = await failure(
      engine.run({
        name: 'p',
        onFailure: 'continue',
        steps: [
          { id: 'a', task: 'typed', input: { n: 'three' } },
          { id: 'b', task: 'fatal', retries: 4 },
        ],
      }),
    );
    expect(runs).toBe(1);
    expect(err.result.steps['a']).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'WEFT_INPUT_INVALID' } });
    expect(err.result.steps['a']?.error?.message).toContain('input.n: Invalid input: expected number, received string');
    expect(err.result.steps['b']).toMatchObject({ status: 'failed', attempts: 1 });
  });

  it('aborts the handler signal when a step times out', async () => {
    engine = await createEngine();
    let seen: unknown;
    engine.registerHandler('slow', (_: unknown, ctx) => {
      return new Promise((_, reject) => {
        ctx.signal.addEventListener('abort', () => {
          seen = ctx.signal.reason;
          reject(ctx.signal.reason);
        });
      });
    });
    const err = await failure(engine.run({ name: 'p', steps: [{ id: 's', task: 'slow', timeoutMs: 30 }] }));
    expect(seen).toMatchObject({ code: 'WEFT_TASK_TIMEOUT' });
    expect(err.failures[0]).toMatchObject({ stepId: 's', code: 'WEFT_TASK_TIMEOUT' });
  });

  it('moves on from a handler that ignores its signal when the timeout passes', async () => {
    engine = await createEngine();
    engine.registerHandler('stubborn', () => new Promise((r) => setTimeout(r, 400)));
    const err = await failure(engine.run({ name: 'p', steps: [{ id: 's', task: 'stubborn', timeoutMs: 20 }] }));
    expect(err.failures[0]?.code).toBe('WEFT_TASK_TIMEOUT');
  });

  it('cancels a whole run: running handlers see the abort, later steps never start', async () => {
    engine = await createEngine();
    const controller = new AbortController();
    let aborted = false;
    let laterRan = false;
    engine.registerHandler('wait', (_: unknown, ctx) => {
      setTimeout(() => controller.abort(), 10);
      return new Promise((_, reject) =>
        ctx.signal.addEventListener('abort', () => {
          aborted = true;
          reject(ctx.signal.reason);
        }),
      );
    });
    engine.registerHandler('later', () => (laterRan = true));
    const err = await failure(
      engine.run(
        {
          name: 'p',
          steps: [
            { id: 'w', task: 'wait' },
            { id: 'l', task: 'later', dependsOn: ['w'] },
          ],
        },
        {},
        { signal: controller.signal },
      ),
    );
    expect(err.code).toBe('WEFT_RUN_CANCELLED');
    expect(aborted).toBe(true);
    expect(laterRan).toBe(false);
    expect(err.result.steps['w']?.status).toBe('cancelled');
    expect(err.result.steps['l']?.status).toBe('cancelled');
  });

  it('fail-fast cancels running siblings; continue lets independent steps finish', async () => {
    const build = async () => {
      const e = await createEngine();
      e.registerHandler('boom', async () => {
        await sleep(5);
        throw new NonRetryableError('boom');
      });
      e.registerHandler('long', async (_: unknown, ctx) => {
        await sleep(60, ctx.signal);
        return 'done';
      });
      e.registerHandler('after', () => 'after');
      return e;
    };
    const steps = [
      { id: 'a', task: 'boom' },
      { id: 'b', task: 'long' },
      { id: 'c', task: 'after', dependsOn: ['a'] },
      { id: 'd', task: 'after', dependsOn: ['b'] },
    ];
    engine = await build();
    const fast = await failure(engine.run({ name: 'p', steps }));
    expect(Object.fromEntries(Object.entries(fast.result.steps).map(([k, v]) => [k, v.status]))).toEqual({
      a: 'failed',
      b: 'cancelled',
      c: 'cancelled',
      d: 'cancelled',
    });
    await engine.close();

    engine = await build();
    const cont = await failure(engine.run({ name: 'p', onFailure: 'continue', steps }));
    expect(Object.fromEntries(Object.entries(cont.result.steps).map(([k, v]) => [k, v.status]))).toEqual({
      a: 'failed',
      b: 'succeeded',
      c: 'cancelled',
      d: 'succeeded',
    });
    expect(cont.result.outputs['d']).toBe('after');
  });

  it('skips a step whose condition is false, and the steps that need it', async () => {
    engine = await createEngine();
    engine.registerHandler('status', () => ({ code: 304 }));
    engine.registerHandler('parse', () => 'parsed');
    const res = await engine.run({
      name: 'p',
      steps: [
        { id: 'get', task: 'status' },
        { id: 'parse', task: 'parse', dependsOn: ['get'], when: { ref: 'steps.get.output.code', eq: 200 } },
        { id: 'store', task: 'parse', dependsOn: ['parse'] },
        {
          id: 'notModified',
          task: 'parse',
          dependsOn: ['get'],
          when: {
            any: [
              { ref: 'steps.get.output.code', in: [304, 412] },
              { ref: 'input.force', truthy: true },
            ],
          },
        },
      ],
    });
    expect(res.status).toBe('succeeded');
    expect(res.steps['parse']).toMatchObject({ status: 'skipped', reason: 'condition false' });
    expect(res.steps['store']).toMatchObject({ status: 'skipped', reason: 'dependency "parse" skipped' });
    expect(res.steps['notModified']?.status).toBe('succeeded');
  });

  it('routes by capability and fails clearly when no worker offers one', async () => {
    engine = await createEngine({
      config: {
        workers: [
          { id: 'py', capabilities: ['lang:python'] },
          { id: 'gpu', capabilities: ['gpu'] },
        ],
      },
    });
    engine.registerHandler('train', (_: unknown, ctx) => ctx.workerId, { capabilities: ['gpu'] });
    engine.registerHandler('lint', (_: unknown, ctx) => ctx.workerId);
    const res = await engine.run({
      name: 'p',
      steps: [
        { id: 't', task: 'train' },
        { id: 'l', task: 'lint', capabilities: ['lang:python'] },
      ],
    });
    expect(res.outputs).toEqual({ t: 'gpu', l: 'py' });
    const err = await failure(engine.run({ name: 'p', steps: [{ id: 'r', task: 'lint', capabilities: ['lang:rust'] }] }));
    expect(err.failures[0]?.code).toBe('WEFT_NO_WORKER_AVAILABLE');
    expect(err.failures[0]?.message).toBe(
      'No worker available for step "r" (lint, needs capabilities [lang:rust]): no live worker offers them. Start a worker that offers them, or wait for capacity.',
    );
  });
});

describe('large fan-outs', () => {
  it('run without Node warnings about abort listeners', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error): void => void warnings.push(w.name);
    process.on('warning', onWarning);
    const e = await createEngine({ config: { workers: [{ id: 'w', concurrency: 64 }] } });
    e.registerHandler('n', async (x: number) => {
      await sleep(1);
      return x;
    });
    const res = await e.run(
      { name: 'wide', maxParallel: 64, steps: [{ id: 'm', task: 'n', forEach: { $ref: 'input' }, input: { $ref: 'item' } }] },
      Array.from({ length: 200 }, (_, i) => i),
    );
    await new Promise((r) => setImmediate(r));
    process.off('warning', onWarning);
    expect((res.outputs['m'] as number[]).length).toBe(200);
    expect(warnings).toEqual([]);
    await e.close();
  });

  it('runs synchronous and asynchronous handlers alike: outputs, thrown errors, input schemas', async () => {
    const { engine: e, spans } = await tracedEngine();
    engine = e;
    e.registerHandler('sync', (input: { n: number }) => input.n + 1);
    e.registerHandler('async', async (input: { n: number }) => input.n * 2);
    e.registerHandler('parsed', (input: { n: number }) => input.n, { inputSchema: z.object({ n: z.coerce.number() }) });
    e.registerHandler('throws', () => {
      throw new Error('sync boom');
    });
    const ok = await e.run({
      name: 'p',
      steps: [
        { id: 's', task: 'sync', input: { n: 1 } },
        { id: 'a', task: 'async', input: { n: { $ref: 'steps.s.output' } }, dependsOn: ['s'] },
        { id: 'v', task: 'parsed', input: { n: '7' } },
      ],
    });
    expect(ok.outputs).toEqual({ s: 2, a: 4, v: 7 });
    const bad = await failure(e.run({ name: 'q', steps: [{ id: 't', task: 'throws' }] }));
    expect(bad.result.steps['t']!.error).toMatchObject({ code: 'WEFT_TASK_FAILED', message: expect.stringContaining('sync boom') });
    const invalid = await failure(e.run({ name: 'r', steps: [{ id: 'v', task: 'parsed', input: { n: 'x' } }] }));
    expect(invalid.result.steps['v']!.error?.code).toBe('WEFT_INPUT_INVALID');
    const executed = spans().filter((s) => s.name === 'weft.task.execute');
    expect(executed.map((s) => s.attributes['weft.task.outcome']).sort()).toEqual(['failure', 'failure', 'success', 'success', 'success']);
    expect(executed).toHaveLength(5);
  });

  it('fans out in order and in bounded lanes; a failed item fails the step, fail-fast stops the rest, continue runs them', async () => {
    engine = await createEngine({ config: { workers: [{ id: 'w', concurrency: 64 }] } });
    let running = 0;
    let peak = 0;
    const ran: number[] = [];
    engine.registerHandler('item', async (n: number, h) => {
      peak = Math.max(peak, ++running);
      await sleep(1 + (n % 3), h.signal).finally(() => running--);
      ran.push(n);
      if (n === 7) throw new NonRetryableError('item 7 fails');
      return n * 10;
    });
    const steps = [{ id: 'm', task: 'item', forEach: { $ref: 'input' }, input: { $ref: 'item' } }];
    const ok = await engine.run({ name: 'ok', maxParallel: 5, steps }, [1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12]);
    expect(ok.outputs['m']).toEqual([10, 20, 30, 40, 50, 60, 80, 90, 100, 110, 120]);
    expect(peak).toBe(5);
    ran.length = 0;
    const items = Array.from({ length: 40 }, (_, i) => i);
    const fast = await failure(engine.run({ name: 'fast', maxParallel: 4, steps }, items));
    expect(fast.result.steps['m']!.error?.message).toContain('item 7 fails');
    // Fail-fast: items not yet started when 7 failed never run.
    expect(ran.length).toBeLessThan(20);
    ran.length = 0;
    const cont = await failure(engine.run({ name: 'cont', maxParallel: 4, onFailure: 'continue', steps }, items));
    expect(cont.result.steps['m']!.status).toBe('failed');
    await vi.waitFor(() => expect(ran.length).toBe(40));
  });
});
