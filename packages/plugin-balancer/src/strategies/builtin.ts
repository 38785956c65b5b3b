/** The built-in strategies by the name they are registered and selected under. */
import { ConsistentHashStrategy } from './consistent-hash.js';
import { HybridStrategy } from './hybrid.js';
import { LeastInFlightStrategy } from './least-in-flight.js';
import { LeastLatencyStrategy } from './least-latency.js';
import { PowerOfTwoStrategy } from './power-of-two.js';
import { RandomStrategy } from './random.js';
import { RoundRobinStrategy } from './round-robin.js';
import { WeightedRoundRobinStrategy } from './weighted-round-robin.js';

export const builtinStrategies = {
  'round-robin': RoundRobinStrategy,
  'weighted-round-robin': WeightedRoundRobinStrategy,
  random: RandomStrategy,
  'least-in-flight': LeastInFlightStrategy,
  'least-latency': LeastLatencyStrategy,
  p2c: PowerOfTwoStrategy,
  'consistent-hash': ConsistentHashStrategy,
  hybrid: HybridStrategy,
} as const;

export type BuiltinStrategyName = keyof typeof builtinStrategies;

export const BUILTIN_STRATEGY_NAMES = Object.keys(builtinStrategies) as BuiltinStrategyName[];
