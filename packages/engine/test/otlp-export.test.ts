/**
 * startTracing() exports to a real OTLP/HTTP receiver: protobuf by default (the specification's
 * default), JSON when asked, and an unsupported protocol is refused with the fix.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { context, propagation, trace } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { startTracing } from '@weft/engine';
import { rejection } from './helpers.js';

interface Received {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

async function receiver(): Promise<{ url: string; received: Received[]; close: () => Promise<void> }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(200, { 'content-type': String(req.headers['content-type']) }).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, received, close: () => new Promise((r) => server.close(() => r())) };
}

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
  // Each case starts its own SDK, which registers itself globally only when nothing else is.
  trace.disable();
  context.disable();
  propagation.disable();
});

async function exportOneSpan(env: Record<string, string>): Promise<Received[]> {
  const sink = await receiver();
  Object.assign(process.env, { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url, ...env });
  const tracing = await startTracing({ serviceName: 'otlp-export-test' });
  try {
    expect(tracing.destination).toContain(`${sink.url}/v1/traces`);
    trace.getTracer('test').startSpan('weft.test.exported').end();
    await tracing.flush();
  } finally {
    await tracing.shutdown();
    await sink.close();
  }
  return sink.received;
}

describe('OTLP export', () => {
  it('speaks OTLP/HTTP protobuf by default', async () => {
    delete process.env['OTEL_EXPORTER_OTLP_PROTOCOL'];
    delete process.env['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL'];
    const received = await exportOneSpan({});
    expect(received).toHaveLength(1);
    expect(received[0]!.path).toBe('/v1/traces');
    expect(received[0]!.headers['content-type']).toBe('application/x-protobuf');
    // Strings are stored verbatim in protobuf: the span's name is in the body.
    expect(received[0]!.body.includes('weft.test.exported')).toBe(true);
  });

  it('speaks OTLP/HTTP JSON when OTEL_EXPORTER_OTLP_PROTOCOL=http/json', async () => {
    const received = await exportOneSpan({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' });
    expect(received[0]!.headers['content-type']).toBe('application/json');
    const body = JSON.parse(received[0]!.body.toString()) as { resourceSpans: { resource: { attributes: { key: string; value: { stringValue?: string; intValue?: number | string } }[] }; scopeSpans: { spans: { name: string }[] }[] }[] };
    expect(body.resourceSpans[0]!.scopeSpans[0]!.spans[0]!.name).toBe('weft.test.exported');
    // The resource says which service and which process (a fleet has many) sent the span.
    const resource = new Map(body.resourceSpans[0]!.resource.attributes.map((a) => [a.key, a.value.stringValue ?? String(a.value.intValue)]));
    expect(resource.get('service.name')).toBe('otlp-export-test');
    expect(resource.get('process.pid')).toBe(String(process.pid));
    expect(resource.get('host.name')).toBeTruthy();
  });

  it('exports nothing when OTEL_SDK_DISABLED=true', async () => {
    const sink = await receiver();
    Object.assign(process.env, { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url, OTEL_SDK_DISABLED: 'true' });
    const tracing = await startTracing();
    trace.getTracer('test').startSpan('weft.test.not-exported').end();
    await tracing.flush();
    await tracing.shutdown();
    await sink.close();
    expect(tracing.destination).toMatch(/OTEL_SDK_DISABLED/);
    expect(sink.received).toHaveLength(0);
  });

  it('refuses a protocol it cannot speak, naming the ones it can', async () => {
    process.env['OTEL_EXPORTER_OTLP_PROTOCOL'] = 'grpc';
    const err = await rejection(startTracing());
    expect(err.code).toBe('WEFT_CONFIG_INVALID');
    expect(err.message).toMatch(/http\/protobuf.*http\/json/);
  });
});
