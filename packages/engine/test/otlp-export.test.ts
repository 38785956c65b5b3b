/**
 * startTelemetry() (NodeSDK) exports to a real OTLP/HTTP receiver from the standard variables:
 * protobuf by default, JSON when asked; service name, resource attributes and the sampler from
 * the environment; metrics too; an unknown metrics exporter is refused with the fix.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { context, metrics, propagation, trace } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { startTelemetry } from '@weft/engine/telemetry';
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
  metrics.disable();
});

type Attr = { key: string; value: { stringValue?: string; intValue?: number | string } };
type TraceBody = { resourceSpans: { resource: { attributes: Attr[] }; scopeSpans: { spans: { name: string }[] }[] }[] };

async function exportOneSpan(env: Record<string, string>): Promise<Received[]> {
  const sink = await receiver();
  Object.assign(process.env, { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url, OTEL_METRICS_EXPORTER: 'none', ...env });
  const telemetry = await startTelemetry({ serviceName: 'otlp-export-test' });
  try {
    expect(telemetry.destination).toContain(`${sink.url}/v1/traces`);
    trace.getTracer('test').startSpan('weft.test.exported').end();
    await telemetry.flush();
  } finally {
    expect(await telemetry.shutdown()).toBe(true);
    await sink.close();
  }
  return sink.received;
}

function resourceOf(body: TraceBody): Map<string, string> {
  return new Map(body.resourceSpans[0]!.resource.attributes.map((a) => [a.key, a.value.stringValue ?? String(a.value.intValue)]));
}

describe('OTLP export through NodeSDK', () => {
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

  it('speaks OTLP/HTTP JSON when OTEL_EXPORTER_OTLP_PROTOCOL=http/json, with the resource from the variables', async () => {
    const received = await exportOneSpan({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=ci,team=weft' });
    expect(received[0]!.headers['content-type']).toBe('application/json');
    const body = JSON.parse(received[0]!.body.toString()) as TraceBody;
    expect(body.resourceSpans[0]!.scopeSpans[0]!.spans[0]!.name).toBe('weft.test.exported');
    // The resource says which service and which process (a fleet has many) sent the span.
    const resource = resourceOf(body);
    expect(resource.get('service.name')).toBe('otlp-export-test');
    expect(resource.get('process.pid')).toBe(String(process.pid));
    expect(resource.get('host.name')).toBeTruthy();
    expect(resource.get('team')).toBe('weft');
  });

  it('takes OTEL_SERVICE_NAME over the default name', async () => {
    const received = await exportOneSpan({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_SERVICE_NAME: 'from-env' });
    expect(resourceOf(JSON.parse(received[0]!.body.toString()) as TraceBody).get('service.name')).toBe('from-env');
  });

  it('samples by OTEL_TRACES_SAMPLER: always_off exports no span', async () => {
    const received = await exportOneSpan({ OTEL_TRACES_SAMPLER: 'always_off' });
    expect(received).toHaveLength(0);
  });

  it('exports metrics over OTLP when OTEL_METRICS_EXPORTER=otlp, and no span when OTEL_TRACES_EXPORTER=none', async () => {
    const sink = await receiver();
    Object.assign(process.env, {
      OTEL_EXPORTER_OTLP_ENDPOINT: sink.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_METRICS_EXPORTER: 'otlp',
      OTEL_TRACES_EXPORTER: 'none',
    });
    const telemetry = await startTelemetry();
    metrics.getMeter('test').createCounter('weft.test.counted').add(3);
    trace.getTracer('test').startSpan('weft.test.not-exported').end();
    await telemetry.flush();
    await telemetry.shutdown();
    await sink.close();
    expect(sink.received.map((r) => r.path)).toContain('/v1/metrics');
    expect(sink.received.map((r) => r.path)).not.toContain('/v1/traces');
    expect(sink.received.find((r) => r.path === '/v1/metrics')!.body.toString()).toContain('weft.test.counted');
  });

  it('exports nothing when OTEL_SDK_DISABLED=true', async () => {
    const sink = await receiver();
    Object.assign(process.env, { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url, OTEL_SDK_DISABLED: 'true' });
    const telemetry = await startTelemetry();
    trace.getTracer('test').startSpan('weft.test.not-exported').end();
    await telemetry.flush();
    await telemetry.shutdown();
    await sink.close();
    expect(telemetry.destination).toMatch(/OTEL_SDK_DISABLED/);
    expect(sink.received).toHaveLength(0);
  });

  it('refuses a metrics exporter it does not know, naming the ones it does', async () => {
    process.env['OTEL_METRICS_EXPORTER'] = 'statsd';
    const err = await rejection(startTelemetry());
    expect(err.code).toBe('WEFT_CONFIG_INVALID');
    expect(err.message).toMatch(/otlp, prometheus, console or none/);
  });
});
