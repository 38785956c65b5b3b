/** `@weft/engine/tracing`: span and metric names and attribute keys (one constants file each), and the engine's telemetry seam. */
export { SpanNames, Attr } from './attributes.js';
export { MetricNames, MetricAttr, WEFT_METER } from '../metrics/metric-names.js';
export { EngineMetrics } from '../metrics/engine-metrics.js';
export { Telemetry, failSpan } from './telemetry.js';
export { TracerToken, MeterProviderToken } from '../tokens.js';
