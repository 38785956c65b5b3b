/**
 * Starts the OpenTelemetry NodeSDK for a process that owns its telemetry (the `weft` CLI
 * commands, an application): traces, metrics, context and propagation from the standard OTEL_*
 * variables. The SDK packages are optional peer dependencies, imported only here and only when
 * this runs, so the engine library itself needs nothing but `@opentelemetry/api`.
 */
import type { ServerResponse, IncomingMessage } from 'node:http';
import type { NodeSDKConfiguration } from '@opentelemetry/sdk-node';
import { WeftError } from '../errors.js';
import { redactCredentials, redactingDetector } from '../tracing/redact.js';
import { metricReaders, type PrometheusMode } from './metric-readers.js';
import { exportWarnings } from './export-warnings.js';

export interface StartTelemetryOptions {
  /** Service name when neither OTEL_SERVICE_NAME nor OTEL_RESOURCE_ATTRIBUTES names one. Default `weft`. */
  serviceName?: string;
  /**
   * Serve Prometheus `/metrics` on this port (0: a free one), beside whatever
   * OTEL_METRICS_EXPORTER asks for. Default: only OTEL_METRICS_EXPORTER=prometheus serves it
   * (OTEL_EXPORTER_PROMETHEUS_PORT, default 9464).
   */
  metricsPort?: number;
  /** Interface the metrics port binds. Default 127.0.0.1 (loopback only). */
  metricsHost?: string;
  /** Keep a Prometheus reader without a server of its own: the process mounts `handle.metricsHandler`. */
  metricsHandler?: boolean;
  /** Instead of OTEL_TRACES_EXPORTER: these span processors (an in-memory exporter in tests). */
  spanProcessors?: NodeSDKConfiguration['spanProcessors'];
  /** Readers beside those OTEL_METRICS_EXPORTER asks for (an in-memory reader in tests). */
  metricReaders?: NodeSDKConfiguration['metricReaders'];
  /** Instrumentations to register (e.g. `new HttpInstrumentation()`). */
  instrumentations?: NodeSDKConfiguration['instrumentations'];
  /** Values for unset OTEL_* variables, read while the SDK starts (the environment is left as it was). */
  envDefaults?: Readonly<Record<string, string>>;
  /** Where the one warning about a failing export goes. Default stderr. */
  warn?: (message: string) => void;
  /** Longest wait for the last export at shutdown. Default 2000 ms. */
  shutdownTimeoutMs?: number;
}

export interface TelemetryHandle {
  /** For a log line: where traces and metrics go. */
  readonly destination: string;
  /** Prometheus' `/metrics` request handler, with `metricsHandler: true`. */
  readonly metricsHandler?: (req: IncomingMessage, res: ServerResponse) => void;
  /** Exports every span and metric recorded so far. */
  flush(): Promise<void>;
  /** Exports what is left (bounded by `shutdownTimeoutMs`) and stops; resolves false if it gave up waiting. Never rejects. */
  shutdown(): Promise<boolean>;
}

/** What Weft changes from the SDK's own defaults (each can still be set in the environment). */
const WEFT_DEFAULTS: Readonly<Record<string, string>> = {
  // Weft logs through pino to stderr; nothing emits OTel log records.
  OTEL_LOGS_EXPORTER: 'none',
  // The default 2,048 drops spans when a fleet bursts.
  OTEL_BSP_MAX_QUEUE_SIZE: '16384',
};

export async function startTelemetry(options: StartTelemetryOptions = {}): Promise<TelemetryHandle> {
  const env = { ...WEFT_DEFAULTS, ...options.envDefaults, ...definedOnly(process.env) };
  if (/^true$/i.test(env['OTEL_SDK_DISABLED'] ?? ''))
    return { destination: 'nowhere (OTEL_SDK_DISABLED)', flush: () => Promise.resolve(), shutdown: () => Promise.resolve(true) };
  let sdkModule: typeof import('@opentelemetry/sdk-node');
  try {
    sdkModule = await import('@opentelemetry/sdk-node');
  } catch (err) {
    throw new WeftError(
      'WEFT_TELEMETRY_UNAVAILABLE',
      'The OpenTelemetry SDK is not installed: add @opentelemetry/sdk-node@0.223 (and @opentelemetry/exporter-prometheus@0.223 for Prometheus) to this project.',
      { retryable: false, cause: err },
    );
  }
  const { NodeSDK, resources, api, core } = sdkModule;
  const warn = options.warn ?? ((m: string) => process.stderr.write(`${m}\n`));
  const warnings = exportWarnings(warn);
  const prometheus: PrometheusMode | undefined = options.metricsHandler
    ? 'handler'
    : options.metricsPort === undefined
      ? undefined
      : { port: options.metricsPort, host: options.metricsHost ?? '127.0.0.1' };
  const named = Boolean(env['OTEL_SERVICE_NAME']) || /(^|,)\s*service\.name=/.test(env['OTEL_RESOURCE_ATTRIBUTES'] ?? '');
  const { sdk, readers } = await withEnv(env, async () => {
    const readers = await metricReaders(env, prometheus);
    const sdk = new NodeSDK({
      ...(named ? {} : { serviceName: options.serviceName ?? 'weft' }),
      // The process detector exports the command line: `--redis redis://:pw@…` and `--input`
      // data are redacted before anything leaves.
      resourceDetectors: [resources.envDetector, resources.hostDetector, resources.processDetector].map((d) => redactingDetector(d)),
      metricReaders: [...readers.readers, ...(options.metricReaders ?? [])],
      ...(options.spanProcessors ? { spanProcessors: options.spanProcessors } : {}),
      instrumentations: options.instrumentations ?? [],
    });
    sdk.start();
    return { sdk, readers };
  });
  // An unreachable collector is worth one line, not a stack trace per batch.
  core.setGlobalErrorHandler(warnings.onError);
  const tracerProvider = (api.trace.getTracerProvider() as { getDelegate?: () => unknown }).getDelegate?.() as { forceFlush?: () => Promise<void> } | undefined;
  const meterProvider = api.metrics.getMeterProvider() as { forceFlush?: () => Promise<void> };
  const traces = env['OTEL_TRACES_EXPORTER'] ?? 'otlp';
  const destination = `traces: ${options.spanProcessors ? 'given processors' : traces === 'none' ? 'none' : `${traces} ${redactCredentials(tracesEndpoint(env))}`}; metrics: ${readers.names.join(', ') || 'none'}`;
  const timeoutMs = options.shutdownTimeoutMs ?? 2000;
  let stopped: Promise<boolean> | undefined;
  return {
    destination,
    ...(readers.prometheus ? { metricsHandler: (req: IncomingMessage, res: ServerResponse) => readers.prometheus!.getMetricsRequestHandler(req, res) } : {}),
    async flush() {
      await Promise.all([tracerProvider?.forceFlush?.(), meterProvider.forceFlush?.()]).catch(warnings.onError);
    },
    shutdown() {
      return (stopped ??= (async () => {
        let timer: NodeJS.Timeout | undefined;
        const inTime = await Promise.race([
          sdk.shutdown().then(
            () => true,
            (err: unknown) => (warnings.onError(err), true),
          ),
          new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs))),
        ]);
        clearTimeout(timer);
        if (!inTime) warnings.gaveUp(timeoutMs, destination);
        return inTime;
      })());
    },
  };
}

function tracesEndpoint(env: Record<string, string | undefined>): string {
  const traces = env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'];
  if (traces) return traces;
  return `${(env['OTEL_EXPORTER_OTLP_ENDPOINT'] ?? 'http://localhost:4318').replace(/\/$/, '')}/v1/traces`;
}

function definedOnly(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''));
}

/** Runs `fn` with `values` as the OTEL_* environment the SDK reads, then puts the environment back. */
async function withEnv<T>(values: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const saved = new Map<string, string | undefined>();
  for (const [k, v] of Object.entries(values)) {
    if (!k.startsWith('OTEL_') || process.env[k] === v) continue;
    saved.set(k, process.env[k]);
    process.env[k] = v;
  }
  try {
    return await fn();
  } finally {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}
