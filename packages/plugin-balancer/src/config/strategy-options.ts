/** The options each built-in strategy accepts, validated at the edge so an error names the field. */
import { z } from 'zod';
import type { BuiltinStrategyName } from '../strategies/builtin.js';

const name = z.string().min(1).optional().describe('Name it is registered and selected under. Default: the type.');
const coldLatencyMs = z.number().positive().optional().describe('Latency assumed for workers with no history, in ms. Default 100.');

export const strategyOptionSchemas = {
  'round-robin': z.strictObject({ name }),
  'weighted-round-robin': z.strictObject({ name, weights: z.record(z.string().min(1), z.number().positive()).optional() }),
  random: z.strictObject({ name }),
  'least-in-flight': z.strictObject({ name }),
  'least-latency': z.strictObject({ name, coldLatencyMs }),
  p2c: z.strictObject({ name, coldLatencyMs }),
  'consistent-hash': z.strictObject({
    name,
    virtualNodes: z.number().int().min(1).max(10_000).optional(),
    loadFactor: z.number().gt(1, 'loadFactor must be greater than 1, or no worker could take the next task').optional(),
  }),
  hybrid: z.strictObject({
    name,
    coldLatencyMs,
    weights: z
      .strictObject({
        load: z.number().nonnegative().optional(),
        latency: z.number().nonnegative().optional(),
        success: z.number().nonnegative().optional(),
        predictor: z.number().nonnegative().optional(),
      })
      .optional(),
  }),
} satisfies Record<BuiltinStrategyName, z.ZodType>;

const specOf = <N extends BuiltinStrategyName>(type: N) => z.strictObject({ type: z.literal(type), options: strategyOptionSchemas[type].optional() });

/** A built-in strategy by name, or `{ type, options }`. */
export const strategySpecSchema = z.union([
  z.enum(Object.keys(strategyOptionSchemas) as [BuiltinStrategyName, ...BuiltinStrategyName[]]),
  z.discriminatedUnion('type', [
    specOf('round-robin'),
    specOf('weighted-round-robin'),
    specOf('random'),
    specOf('least-in-flight'),
    specOf('least-latency'),
    specOf('p2c'),
    specOf('consistent-hash'),
    specOf('hybrid'),
  ]),
]);

export type StrategySpecConfig = z.infer<typeof strategySpecSchema>;
