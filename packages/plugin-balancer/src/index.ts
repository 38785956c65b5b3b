/**
 * @weft/plugin-balancer: balancing strategies, circuit breaker, bulkhead and a fleet simulator.
 * The root holds the plugin, its config, errors, stats and span names; the strategy classes are
 * behind `@weft/plugin-balancer/strategies`, the guards behind `/guards`, the simulator behind
 * `/simulator`. The names here are snapshotted in test/public-api.test.ts.
 */
export { default, PLUGIN_NAME } from './plugin.js';
export { balancerConfigSchema, type BalancerConfig, type BreakerConfig, type BulkheadConfig } from './config/balancer-config.js';
export type { StrategySpecConfig } from './config/strategy-options.js';
export { BUILTIN_STRATEGY_NAMES, type BuiltinStrategyName } from './strategies/builtin.js';
export { StrategyRegistry, type StrategyClass, type StrategySpec } from './strategies/strategy-registry.js';
export { CircuitBreaker } from './guards/circuit-breaker.js';
export { Bulkhead } from './guards/bulkhead.js';
export { BalancerStatsToken, type BalancerStats, type BalancerStatsSnapshot, type WorkerDecisionStats } from './stats/balancer-stats.js';
export { BalancerAttr, BalancerSpanNames } from './attributes.js';
export { BalancerError, BalancerErrorCodes, isBalancerError, type BalancerErrorCode, type BalancerErrorOptions } from './errors.js';
