/**
 * Telemetry for the `weft` commands: NodeSDK when the user asks for it (`--trace`, a metrics
 * port, or any OTEL_* exporter variable), nothing at all otherwise. A missing SDK or a collector
 * that is down costs one warning line, never the command.
 */
import { isWeftError } from '../errors.js';
import type { Logger } from '../logging/logger.js';
import { startTelemetry, type TelemetryHandle } from '../telemetry/start-telemetry.js';

export interface CliTelemetryOptions {
  /** Default service name (OTEL_SERVICE_NAME wins). */
  readonly serviceName: string;
  readonly logger: Logger;
  /** `--trace`: export spans even with no OTEL_* variable set (to the OTLP default endpoint). */
  readonly trace?: boolean;
  readonly metricsPort?: number;
  readonly metricsHost?: string;
  /** The process serves `/metrics` itself (the dashboard). */
  readonly metricsHandler?: boolean;
}

const SELECTORS = [
  'OTEL_TRACES_EXPORTER',
  'OTEL_METRICS_EXPORTER',
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
  'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT',
];

let gaveUp = false;

export async function startCliTelemetry(o: CliTelemetryOptions): Promise<TelemetryHandle | undefined> {
  const configured = SELECTORS.some((k) => Boolean(process.env[k]));
  if (!configured && !o.trace && o.metricsPort === undefined && !o.metricsHandler) return undefined;
  // With no OTEL_* variable, export only what the flags asked for (not the spec's otlp defaults).
  const envDefaults: Record<string, string> = configured ? {} : { OTEL_TRACES_EXPORTER: o.trace ? 'otlp' : 'none', OTEL_METRICS_EXPORTER: 'none' };
  try {
    const handle = await startTelemetry({
      serviceName: o.serviceName,
      envDefaults,
      warn: (m) => o.logger.warn(m),
      ...(o.metricsPort === undefined ? {} : { metricsPort: o.metricsPort }),
      ...(o.metricsHost === undefined ? {} : { metricsHost: o.metricsHost }),
      ...(o.metricsHandler ? { metricsHandler: true } : {}),
    });
    o.logger.debug({ telemetry: handle.destination }, 'telemetry on');
    return {
      ...handle,
      shutdown: async () => {
        const inTime = await handle.shutdown();
        if (!inTime) gaveUp = true;
        return inTime;
      },
    };
  } catch (err) {
    if (isWeftError(err) && err.code === 'WEFT_TELEMETRY_UNAVAILABLE') {
      o.logger.warn(`telemetry is off: ${err.message}`);
      return undefined;
    }
    throw err;
  }
}

/**
 * After a command ends: an exporter still retrying a collector that is down may hold the event
 * loop open; the command's output is written, so leave now with the exit code already set.
 */
export function exitIfTelemetryStuck(): void {
  if (gaveUp) process.exit();
}
