/** `@weft/plugin-balancer/strategies`: the built-in strategy classes with their options, the registry that resolves them, and the shared scoring. */
export { RoundRobinStrategy, type RoundRobinOptions } from './round-robin.js';
export { WeightedRoundRobinStrategy, type WeightedRoundRobinOptions } from './weighted-round-robin.js';
export { RandomStrategy, type RandomOptions } from './random.js';
export { LeastInFlightStrategy, type LeastInFlightOptions } from './least-in-flight.js';
export { LeastLatencyStrategy, type LeastLatencyOptions } from './least-latency.js';
export { PowerOfTwoStrategy, type PowerOfTwoOptions } from './power-of-two.js';
export { ConsistentHashStrategy, type ConsistentHashOptions } from './consistent-hash.js';
export { HybridStrategy, DEFAULT_HYBRID_WEIGHTS, type HybridOptions, type HybridWeights } from './hybrid.js';
export { TaskTypeRouter } from './task-type-router.js';
export type { ObservingStrategy } from './observing-strategy.js';
export { builtinStrategies, BUILTIN_STRATEGY_NAMES, type BuiltinStrategyName } from './builtin.js';
export { StrategyRegistry, type StrategyClass, type StrategySpec } from './strategy-registry.js';
export { expectedLatencyMs, loadOf } from './scoring.js';
export { strategyOptionSchemas, strategySpecSchema, type StrategySpecConfig } from '../config/strategy-options.js';
