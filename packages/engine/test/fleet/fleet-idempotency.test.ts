/** At-least-once with idempotency keys: a redelivered task whose step already completed answers from the record. */
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FleetKeys, type JobPayload, type TaskReply } from '@weft/engine/fleet';
import { Telemetry } from '@weft/engine/tracing';
import { inProcessFleet, waitFor } from './fleet-harness.js';

const fleet = inProcessFleet();
let client: Redis;
let queue: Queue;
const keys = new FleetKeys();
const exporter = new InMemorySpanExporter();

beforeAll(async () => {
  await fleet.startWorker({ id: 'idem', telemetry: new Telemetry(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] })) });
  client = new Redis(fleet.redis.url);
  queue = new Queue(keys.workerQueue('idem'), { connection: client, prefix: keys.prefix });
});

afterAll(async () => {
  await queue?.close();
  client?.disconnect();
});

function job(route: number, requestId: string): JobPayload {
  return {
    v: 1,
    requestId,
    replyTo: 'test-runner',
    route,
    task: {
      id: 'run-1:charge',
      runId: 'run-1',
      stepId: 'charge',
      type: 't.slow',
      input: { ms: 1, tag: 'charge' },
      capabilities: [],
      tags: [],
      sizeBytes: 10,
      attempt: 1,
      handlerVersion: '1',
      idempotencyKey: 'run-1:charge',
    },
    trace: {},
    enqueuedAt: Date.now(),
  };
}

async function reply(requestId: string): Promise<TaskReply> {
  return waitFor(`reply ${requestId}`, async () => {
    const all = (await client.lrange(keys.replies('test-runner'), 0, -1)).map((r) => JSON.parse(r) as TaskReply);
    return all.find((r) => r.requestId === requestId);
  });
}

describe('idempotency keys', () => {
  it('runs a task once; a re-routed copy of the same step answers from the record without repeating the effect', async () => {
    await queue.add('t.slow', job(1, 'first'), { jobId: 'first-1' });
    const first = await reply('first');
    expect(first).toMatchObject({ ok: true, output: { tag: 'charge', worker: 'idem' } });
    expect(first.deduplicated).toBeUndefined();
    expect(await client.hexists(keys.runResults('run-1'), 'run-1:charge')).toBe(1);

    // As after a crash between completing and replying: the runner re-routes the same task.
    await queue.add('t.slow', job(2, 'again'), { jobId: 'again-2' });
    const again = await reply('again');
    expect(again).toMatchObject({ ok: true, deduplicated: true, output: { tag: 'charge', worker: 'idem' } });
    expect(fleet.effects().filter((e) => e.kind === 'done')).toHaveLength(1);
    const executions = exporter.getFinishedSpans().filter((s) => s.name === 'weft.task.execute');
    expect(executions.map((s) => s.attributes['weft.task.deduplicated'] ?? false)).toEqual([false, true]);
  });
});
