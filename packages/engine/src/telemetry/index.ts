/**
 * `@weft/engine/telemetry`: the OpenTelemetry NodeSDK for a process that owns its telemetry.
 * Needs the optional peer dependencies `@opentelemetry/sdk-node` (and
 * `@opentelemetry/exporter-prometheus` for Prometheus); the main entry never loads them.
 */
export { startTelemetry, type StartTelemetryOptions, type TelemetryHandle } from './start-telemetry.js';
export { redactAttributes, redactCommandArgs, redactCredentials, redactingDetector } from '../tracing/redact.js';
