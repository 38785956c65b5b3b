/**
 * A handler runs inside its `weft.task.execute` span's context: with NodeSDK started and the
 * HTTP instrumentation registered, the client span of a request a handler makes to a local
 * server is a child of the execute span.
 */
import { createRequire } from 'node:module';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { context, metrics, propagation, SpanKind, trace } from '@opentelemetry/api';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine, pipeline } from '@weft/engine';
import { SpanNames } from '@weft/engine/tracing';
import { startTelemetry } from '@weft/engine/telemetry';

const server = createServer((_req, res) => res.end('pong'));

afterAll(async () => {
  await new Promise((r) => server.close(r));
  trace.disable();
  context.disable();
  propagation.disable();
  metrics.disable();
});

describe('handler context', () => {
  it('makes an instrumented HTTP call from a handler a child of weft.task.execute', async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ping`;
    const exporter = new InMemorySpanExporter();
    const telemetry = await startTelemetry({
      spanProcessors: [new SimpleSpanProcessor(exporter)],
      instrumentations: [new HttpInstrumentation()],
      envDefaults: { OTEL_METRICS_EXPORTER: 'none' },
    });
    // The instrumentation patches `http` as it is required (an ESM import of a built-in is not hooked).
    const http = createRequire(import.meta.url)('node:http') as typeof import('node:http');
    const engine = await createEngine();
    engine.registerHandler(
      'fetch',
      () =>
        new Promise<string>((resolve, reject) => {
          http
            .get(url, (res) => {
              let body = '';
              res.on('data', (c: Buffer) => (body += c.toString()));
              res.on('end', () => resolve(body));
            })
            .on('error', reject);
        }),
    );
    const result = await engine.run(pipeline('ctx').step('call', 'fetch', { input: {} }).build(), {});
    await engine.close();
    await telemetry.flush();
    const spans = exporter.getFinishedSpans();
    await telemetry.shutdown();
    expect(result.output).toEqual({ call: 'pong' });
    const execute = spans.find((s) => s.name === SpanNames.TASK_EXECUTE)!;
    const client = spans.find((s) => Number(s.kind) === Number(SpanKind.CLIENT));
    expect(client, `spans: ${spans.map((s) => s.name).join(', ')}`).toBeDefined();
    expect(client!.parentSpanContext?.spanId).toBe(execute.spanContext().spanId);
    expect(client!.spanContext().traceId).toBe(execute.spanContext().traceId);
  });
});
