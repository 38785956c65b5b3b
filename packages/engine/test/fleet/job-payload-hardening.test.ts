/**
 * Job payloads a worker cannot trust: a task type it has no handler for fails at once with a
 * WEFT_ code, told to the runner as not retryable; a `replyTo` that is not a runner id never
 * becomes part of a Redis key name. Against a real Redis and a real FleetWorker.
 */
import { Queue } from 'bullmq';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, silentLogger, type Engine } from '@weft/engine';
import { FleetWorker } from '@weft/engine/fleet';
import { Telemetry } from '@weft/engine/tracing';
import { startRedis, type PrivateRedis } from '../../../../test-support/redis-server.js';
import { waitFor } from './fleet-harness.js';

let redis: PrivateRedis;
let engine: Engine;
let worker: FleetWorker;
let queue: Queue;
let client: Redis;

beforeAll(async () => {
  redis = await startRedis();
  engine = await createEngine({ plugins: [(await import('./fixtures/fleet-plugin.js')).default] });
  worker = new FleetWorker(
    { redisUrl: redis.url, id: 'strict', heartbeatMs: 150, logger: silentLogger() },
    { handlers: engine.handlers, telemetry: new Telemetry() },
  );
  await worker.start();
  queue = new Queue('w.strict', { connection: { host: '127.0.0.1', port: redis.port }, prefix: '{weft}' });
  client = new Redis(redis.url);
});
afterAll(async () => {
  await queue?.close();
  client?.disconnect();
  await worker?.close();
  await engine?.close();
  await redis?.stop();
});

const payload = (over: { type?: string; replyTo?: string; id: string }): object => ({
  v: 1,
  requestId: `req-${over.id}`,
  replyTo: over.replyTo ?? 'runner-1',
  route: 1,
  task: {
    id: over.id,
    runId: 'run-1',
    stepId: 's',
    type: over.type ?? 't.add',
    input: { a: 1, b: 2 },
    capabilities: [],
    tags: [],
    sizeBytes: 10,
    attempt: 1,
    handlerVersion: '1',
    idempotencyKey: `idem-${over.id}`,
  },
  trace: {},
  enqueuedAt: Date.now(),
});

async function failed(jobId: string): Promise<{ reason: string; attempts: number }> {
  const job = await waitFor(`job ${jobId} to finish`, async () => {
    const j = await queue.getJob(jobId);
    return j?.finishedOn ? j : undefined;
  });
  expect(await job.getState()).toBe('failed');
  return { reason: job.failedReason, attempts: job.attemptsMade };
}

describe('job payloads', () => {
  it('fails a job of an unknown task type with WEFT_HANDLER_NOT_FOUND, once, and tells the runner not to retry', async () => {
    await queue.add('t.nope', payload({ id: 'unknown-type', type: 't.nope' }), { jobId: 'unknown-type', attempts: 3 });
    const { reason, attempts } = await failed('unknown-type');
    expect(reason).toMatch(/^WEFT_HANDLER_NOT_FOUND: Worker strict has no handler for task type "t.nope"/);
    expect(attempts).toBe(1);
    const reply = JSON.parse((await client.lpop('{weft}:replies:runner-1'))!) as {
      requestId: string;
      ok: boolean;
      error: { code: string; retryable: boolean };
    };
    expect(reply).toMatchObject({ requestId: 'req-unknown-type', ok: false, error: { code: 'WEFT_HANDLER_NOT_FOUND', retryable: false } });
  });

  it('refuses a replyTo that is not a runner id, and writes under no key built from it', async () => {
    for (const [n, replyTo] of ['../../../x', 'a}{b', 'x:y', '', 'r'.repeat(200)].entries()) {
      await queue.add('t.add', payload({ id: `bad-reply-${n}`, replyTo }), { jobId: `bad-reply-${n}`, attempts: 3 });
      const { reason, attempts } = await failed(`bad-reply-${n}`);
      expect(reason).toMatch(/^WEFT_JOB_INVALID: .*replyTo: must be a runner id/);
      expect(attempts).toBe(1);
    }
    // Nothing was written under a key holding any of them; the worker keeps serving good jobs.
    expect((await client.keys('{weft}:replies:*')).filter((k) => k !== '{weft}:replies:runner-1')).toEqual([]);
    await queue.add('t.add', payload({ id: 'good' }), { jobId: 'good' });
    const reply = await waitFor('the good job reply', async () => (await client.lpop('{weft}:replies:runner-1')) ?? undefined);
    expect(JSON.parse(reply)).toMatchObject({ requestId: 'req-good', ok: true, output: 3 });
  });

  it('fails every malformed payload (seeded fuzzing) with a WEFT_ code, once, and keeps serving', async () => {
    const field = fc.constantFrom(
      'v',
      'requestId',
      'replyTo',
      'route',
      'task',
      'trace',
      'enqueuedAt',
      'task.type',
      'task.input',
      'task.attempt',
      'task.id',
      'task.runId',
    );
    const value = fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.constantFrom('__proto__', '../../x', '{weft}', '', 'x'.repeat(300)));
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(field, value), { minLength: 1, maxLength: 3 }), async (edits) => {
        const id = `fuzz-${n++}`;
        const data = payload({ id }) as Record<string, Record<string, unknown>>;
        for (const [path, v] of edits) {
          const [a, b] = path.split('.') as [string, string | undefined];
          if (b === undefined) data[a] = v as Record<string, unknown>;
          else if (typeof data[a] === 'object' && data[a] !== null) data[a][b] = v;
        }
        await queue.add('fuzz', data, { jobId: id, attempts: 3 });
        const job = await waitFor(`job ${id} to finish`, async () => {
          const j = await queue.getJob(id);
          return j?.finishedOn ? j : undefined;
        });
        if ((await job.getState()) === 'failed') {
          expect(job.failedReason).toMatch(/^WEFT_[A-Z_]+: /);
          expect(job.failedReason).not.toMatch(/\n\s+at /);
          expect(job.attemptsMade).toBe(1);
        }
      }),
      { seed: 20261203, numRuns: 40 },
    );
    await client.del('{weft}:replies:runner-1');
    await queue.add('t.add', payload({ id: 'after-fuzz' }), { jobId: 'after-fuzz' });
    const reply = await waitFor('a reply after the fuzzing', async () => (await client.lpop('{weft}:replies:runner-1')) ?? undefined);
    expect(JSON.parse(reply)).toMatchObject({ requestId: 'req-after-fuzz', ok: true, output: 3 });
  });
});
