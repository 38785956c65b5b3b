/** @weft/plugin-balancer: balancing strategies, circuit breaker, bulkhead and a fleet simulator. */
export * from './simulator/index.js';
export { BalancerError, BalancerErrorCodes, isBalancerError, type BalancerErrorCode, type BalancerErrorOptions } from './errors.js';
