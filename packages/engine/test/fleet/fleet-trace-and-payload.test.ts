/**
 * Trace context across processes (runner spans in memory, the worker process exporting OTLP/HTTP
 * JSON to a receiver started here) and malformed job payloads.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { SpanKind } from '@opentelemetry/api';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, createLogger, type Engine } from '@weft/engine';
import { FleetWorker } from '@weft/engine/fleet';
import { SpanNames, Telemetry } from '@weft/engine/tracing';
import { startRedis, type PrivateRedis } from '../../../../test-support/redis-server.js';
import { fleetRunner, spawnWorker, stopAll, waitFor, waitForWorkers, type Runner } from './fleet-harness.js';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: { key: string; value: { stringValue?: string; intValue?: number | string } }[];
}

let redis: PrivateRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await stopAll();
  await redis?.stop();
});

describe('malformed job payloads', () => {
  let workerEngine: Engine;
  let worker: FleetWorker;
  let log = '';
  beforeAll(async () => {
    workerEngine = await createEngine({ plugins: [(await import('./fixtures/fleet-plugin.js')).default] });
    const sink = new Writable({
      write(chunk: Buffer, _e, done) {
        log += chunk.toString();
        done();
      },
    });
    worker = new FleetWorker(
      { redisUrl: redis.url, id: 'mal', heartbeatMs: 150, logger: createLogger({ level: 'info', destination: sink }) },
      { handlers: workerEngine.handlers, telemetry: new Telemetry() },
    );
    await worker.start();
  });
  afterAll(async () => {
    await worker?.close();
    await workerEngine?.close();
  });

  it('fails a malformed job at once with WEFT_JOB_INVALID, not retried, and keeps serving', async () => {
    const queue = new Queue('w.mal', { connection: { host: '127.0.0.1', port: redis.port }, prefix: '{weft}' });
    try {
      await queue.add('t.add', { hello: 'not a weft job' }, { jobId: 'garbage-1', attempts: 3 });
      await queue.add('t.add', { v: 1, requestId: 'r', replyTo: 'x', task: { id: 42 }, trace: {}, enqueuedAt: 0 }, { jobId: 'garbage-2', attempts: 3 });
      for (const id of ['garbage-1', 'garbage-2']) {
        const job = await waitFor(`job ${id} to fail`, async () => {
          const j = await queue.getJob(id);
          return j?.finishedOn ? j : undefined;
        });
        expect(await job.getState()).toBe('failed');
        expect(job.failedReason).toContain('WEFT_JOB_INVALID');
        expect(job.attemptsMade).toBe(1);
      }
      expect(log).toContain('malformed job payload');
      const runner = await fleetRunner(redis.url);
      try {
        const result = await runner.engine.run({ name: 'after-garbage', steps: [{ id: 'a', task: 't.add', input: { a: 1, b: 2 } }] });
        expect(result.outputs['a']).toBe(3);
        expect(result.steps['a']!.workers).toEqual(['mal']);
      } finally {
        await runner.engine.close();
      }
    } finally {
      await queue.close();
    }
  });
});

describe('trace context across processes', () => {
  let receiver: Server;
  const received: OtlpSpan[] = [];
  let runner: Runner;

  beforeAll(async () => {
    await workerGone();
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        if (req.method === 'POST' && req.url === '/v1/traces') {
          const doc = JSON.parse(body) as { resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[] };
          for (const rs of doc.resourceSpans) for (const ss of rs.scopeSpans) received.push(...ss.spans);
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const port = (receiver.address() as AddressInfo).port;
    const w = spawnWorker({
      id: 'traced',
      redisUrl: redis.url,
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_SERVICE_NAME: 'weft-worker-test',
        OTEL_BSP_SCHEDULE_DELAY: '100',
      },
    });
    await waitForWorkers(redis.url, ['traced'], [w]);
    runner = await fleetRunner(redis.url);
  }, 120_000);

  afterAll(async () => {
    await runner?.engine.close();
    await new Promise((r) => receiver?.close(r));
  });

  it("makes the worker's CONSUMER execution span a child of the route decision span, in the runner's trace", async () => {
    const result = await runner.engine.run({
      name: 'traced',
      steps: [
        { id: 'a', task: 't.add', input: { a: 1, b: 2 } },
        { id: 'b', task: 't.double', dependsOn: ['a'], input: { n: { $ref: 'steps.a.output' } } },
      ],
    });
    const local = runner.exporter.getFinishedSpans();
    await waitFor('the worker to export both execution spans', () => received.filter((s) => s.name === SpanNames.TASK_EXECUTE).length >= 2, 20_000);
    for (const stepId of ['a', 'b']) {
      const step = local.find((s) => s.name === SpanNames.STEP && s.attributes['weft.step.id'] === stepId)!;
      const route = local.find((s) => s.name === SpanNames.DECISION_ROUTE && s.attributes['weft.task.id'] === `${result.runId}:${stepId}`)!;
      const send = local.find((s) => s.name === SpanNames.TASK_ENQUEUE && s.attributes['weft.task.id'] === `${result.runId}:${stepId}`)!;
      const attr = (s: OtlpSpan, key: string): string | undefined => s.attributes.find((a) => a.key === key)?.value.stringValue;
      const exec = received.find((s) => s.name === SpanNames.TASK_EXECUTE && attr(s, 'weft.step.id') === stepId)!;
      expect(exec.traceId).toBe(result.traceId);
      expect(route.parentSpanContext?.spanId).toBe(step.spanContext().spanId);
      // Across the process boundary, through the job's W3C trace context.
      expect(exec.parentSpanId).toBe(route.spanContext().spanId);
      expect(exec.kind).toBe(5); // OTLP SPAN_KIND_CONSUMER
      expect(attr(exec, 'messaging.system')).toBe('bullmq');
      expect(attr(exec, 'messaging.operation.type')).toBe('process');
      expect(attr(exec, 'messaging.destination.name')).toBe('w.traced');
      expect(send.kind).toBe(SpanKind.PRODUCER);
      expect(send.parentSpanContext?.spanId).toBe(route.spanContext().spanId);
      expect(send.attributes['messaging.system']).toBe('bullmq');
      expect(send.attributes['messaging.operation.type']).toBe('send');
      expect(send.attributes['messaging.destination.name']).toBe('w.traced');
      expect(attr(exec, 'messaging.message.id')).toBe(send.attributes['messaging.message.id']);
    }
  });
});

/** The in-process worker of the first block must be gone before this block routes. */
async function workerGone(): Promise<void> {
  const { Redis } = await import('ioredis');
  const r = new Redis(redis.url);
  try {
    await waitFor('worker "mal" to leave', async () => (await r.exists('{weft}:worker:mal')) === 0);
  } finally {
    r.disconnect();
  }
}
