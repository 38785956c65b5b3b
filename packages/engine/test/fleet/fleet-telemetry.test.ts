/**
 * A `weft worker` process with NodeSDK: its spans reach a real OTLP/HTTP receiver, the HTTP
 * client span of a request its handler makes is a child of the worker's `weft.task.execute`
 * span, and `--metrics-port` serves Prometheus metrics that count the run's tasks.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pipeline, ref } from '@weft/engine';
import { MetricNames, SpanNames } from '@weft/engine/tracing';
import { freePort, startRedis, type PrivateRedis } from '../../../../test-support/redis-server.js';
import { fleetRunner, spawnWorker, stopAll, waitFor, waitForWorkers, type Runner } from './fleet-harness.js';
import httpPlugin from './fixtures/http-plugin.js';

const httpPluginPath = fileURLToPath(new URL('./fixtures/http-plugin.ts', import.meta.url));

interface OtlpSpan {
  name: string;
  kind: number;
  spanId: string;
  parentSpanId?: string;
  traceId: string;
}
type TraceBody = { resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[] };

let redis: PrivateRedis;
let runner: Runner;
let receiver: Server;
let pong: Server;
const spans: OtlpSpan[] = [];

async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  redis = await startRedis();
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url === '/v1/traces')
        for (const rs of (JSON.parse(Buffer.concat(chunks).toString()) as TraceBody).resourceSpans) for (const ss of rs.scopeSpans) spans.push(...ss.spans);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  pong = createServer((_req, res) => res.end('pong'));
});

afterAll(async () => {
  await runner?.engine.close();
  await stopAll();
  await redis?.stop();
  await Promise.all([receiver, pong].map((s) => new Promise((r) => s.close(r))));
});

describe('fleet worker telemetry', () => {
  it('nests a handler HTTP call under weft.task.execute in the worker and serves /metrics', async () => {
    const [otlp, pongUrl, metricsPort] = await Promise.all([listen(receiver), listen(pong), freePort()]);
    const worker = spawnWorker({
      id: 'tele',
      redisUrl: redis.url,
      plugins: false,
      extra: ['--plugins', httpPluginPath, '--metrics-port', String(metricsPort)],
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: otlp,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_METRICS_EXPORTER: 'none',
        OTEL_BSP_SCHEDULE_DELAY: '100',
        WEFT_TEST_INSTRUMENT_HTTP: '1',
      },
    });
    await waitForWorkers(redis.url, ['tele'], [worker]);
    runner = await fleetRunner(redis.url, {}, { plugins: [httpPlugin] });
    const result = await runner.engine.run(
      pipeline('calls')
        .step('call', 't.http', { forEach: ref('input.urls'), input: { url: ref('item') } })
        .build(),
      { urls: [pongUrl, pongUrl, pongUrl] },
    );
    expect(result.output).toEqual({ call: ['pong', 'pong', 'pong'] });

    const executes = await waitFor('three execute spans and three client spans', () => {
      const ex = spans.filter((s) => s.name === SpanNames.TASK_EXECUTE);
      return ex.length === 3 && spans.filter((s) => s.kind === 3).length === 3 ? ex : undefined;
    });
    const clients = spans.filter((s) => s.kind === 3);
    expect(clients.map((c) => c.parentSpanId).sort()).toEqual(executes.map((e) => e.spanId).sort());

    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    const completed = text
      .split('\n')
      .find((l) => l.startsWith(`${MetricNames.TASKS_COMPLETED.replaceAll('.', '_')}_total{`) && l.includes('weft_task_type="t.http"'));
    expect(completed, text).toMatch(/weft_task_worker="tele".* 3$/);
    expect(text).toMatch(/messaging_process_duration_count\{[^}]*weft_task_type="t\.http"[^}]*\} 3/);
    expect(text).toMatch(/weft_worker_in_flight\{[^}]*\} 0/);
  });
});
