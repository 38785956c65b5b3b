/**
 * The metric readers OTEL_METRICS_EXPORTER asks for (otlp, prometheus, console, none; default
 * otlp), plus a Prometheus reader for `--metrics-port` or for a server that mounts `/metrics`
 * itself (the dashboard). NodeSDK builds the same list from the environment but takes no extra
 * reader beside it, hence this file.
 */
import { createServer, type AddressInfo } from 'node:net';
import type { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import type { metrics as sdkMetrics } from '@opentelemetry/sdk-node';
import { WeftError } from '../errors.js';

type IMetricReader = sdkMetrics.IMetricReader;

export type PrometheusMode = { readonly port: number; readonly host: string } | 'handler';

export interface Readers {
  readonly readers: IMetricReader[];
  readonly prometheus?: PrometheusExporter;
  /** For the log line: `otlp, prometheus http://127.0.0.1:9464/metrics`. */
  readonly names: string[];
}

export async function metricReaders(env: NodeJS.ProcessEnv, prometheus: PrometheusMode | undefined): Promise<Readers> {
  const wanted = [
    ...new Set(
      (env['OTEL_METRICS_EXPORTER'] ?? 'otlp')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
  const known = ['otlp', 'prometheus', 'console', 'none'];
  const unknown = wanted.filter((w) => !known.includes(w));
  if (unknown.length > 0)
    throw new WeftError('WEFT_CONFIG_INVALID', `OTEL_METRICS_EXPORTER "${unknown.join(',')}" is not supported; use otlp, prometheus, console or none.`, {
      retryable: false,
    });
  const list = wanted.includes('none') ? [] : wanted;
  const readers: IMetricReader[] = [];
  const names: string[] = [];
  if (list.includes('otlp') || list.includes('console')) {
    const [{ metrics }, utils] = await Promise.all([import('@opentelemetry/sdk-node'), import('@opentelemetry/sdk-node/build/src/utils.js')]);
    if (list.includes('otlp')) {
      // The SDK's own reading of OTEL_EXPORTER_OTLP_(METRICS_)PROTOCOL, _ENDPOINT and OTEL_METRIC_EXPORT_INTERVAL.
      readers.push(utils.getPeriodicExportingMetricReaderFromEnv(utils.getOtlpMetricExporterFromEnv()));
      names.push('otlp');
    }
    if (list.includes('console')) {
      readers.push(new metrics.PeriodicExportingMetricReader({ exporter: new metrics.ConsoleMetricExporter() }));
      names.push('console');
    }
  }
  let exporter: PrometheusExporter | undefined;
  if (list.includes('prometheus') || prometheus) {
    const { PrometheusExporter } = await import('@opentelemetry/exporter-prometheus');
    if (prometheus === 'handler') {
      exporter = new PrometheusExporter({ preventServerStart: true });
      names.push('prometheus (served by this process at /metrics)');
    } else {
      // Our own port wins; else the spec's OTEL_EXPORTER_PROMETHEUS_HOST/PORT (default 9464).
      const host = prometheus?.host ?? env['OTEL_EXPORTER_PROMETHEUS_HOST'] ?? '127.0.0.1';
      // The exporter reads port 0 as "the default": pick a free one for it.
      const asked = prometheus?.port ?? (Number(env['OTEL_EXPORTER_PROMETHEUS_PORT']) || 9464);
      const port = asked === 0 ? await freePort(host) : asked;
      exporter = new PrometheusExporter({ port, host, preventServerStart: true });
      try {
        await exporter.startServer();
      } catch (err) {
        throw new WeftError(
          'WEFT_CONFIG_INVALID',
          `Cannot serve Prometheus metrics on ${host}:${port}: ${(err as Error).message}. Choose another --metrics-port.`,
          { retryable: false, cause: err },
        );
      }
      names.push(`prometheus http://${host}:${port}/metrics`);
    }
    readers.push(exporter);
  }
  return { readers, names, ...(exporter ? { prometheus: exporter } : {}) };
}

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
