/** `@weft/plugin-balancer/guards`: the circuit breaker and the bulkhead, with their options and states. */
export { CircuitBreaker, type BreakerState, type BreakerTransition, type CircuitBreakerOptions } from './circuit-breaker.js';
export { Bulkhead, type BulkheadOptions } from './bulkhead.js';
