/**
 * DI tokens of the engine's extension points, under the names the engine uses inside. The
 * public names (BalancingStrategy, Predictor…) are both the interface and its token.
 * Symbol.for so that two copies of the engine in one process still agree on them.
 */
import type { MeterProvider, Tracer } from '@opentelemetry/api';
import type { InjectionToken } from 'tsyringe';
import type { Logger } from './logging/logger.js';

export { ResultCache as ResultCacheToken, Embedder as EmbedderToken } from './contracts/cache.js';
export { LanguageBridge as LanguageBridgeToken } from './contracts/language-bridge.js';
export { BalancingStrategy as BalancingStrategyToken, Predictor as PredictorToken, WorkerGuard as WorkerGuardToken } from './contracts/routing.js';

export const LoggerToken: InjectionToken<Logger> = Symbol.for('weft.Logger');
/** The engine's OpenTelemetry tracer, for plugins that write spans of their own (breaker transitions). */
export const TracerToken: InjectionToken<Tracer> = Symbol.for('weft.Tracer');
/** The engine's OpenTelemetry meter provider, for plugins that record metrics of their own (breaker states). */
export const MeterProviderToken: InjectionToken<MeterProvider> = Symbol.for('weft.MeterProvider');
export const EngineConfigToken = Symbol.for('weft.EngineConfig');
