/** The engine's own configuration, validated at the edge with zod. */
import { z } from 'zod';
import { MAX_DEPTH_CEILING } from '../pipeline/limits.js';

const workerSchema = z.strictObject({
  id: z.string().min(1),
  capabilities: z.array(z.string().min(1)).optional(),
  concurrency: z.number().int().positive().optional(),
  weight: z.number().positive().optional(),
  kind: z.string().optional(),
});

export const engineConfigSchema = z.strictObject({
  /** Plugins by package name (or path relative to the config file), with their config. */
  plugins: z.array(z.union([z.string().min(1), z.strictObject({ name: z.string().min(1), config: z.unknown().optional() })])).optional(),
  /** Embedded worker slots. Default one slot `local` accepting every task, concurrency 8. */
  workers: z.array(workerSchema).min(1).optional(),
  routing: z
    .strictObject({
      strategy: z.string().min(1).optional(),
      strategyOptions: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
      waitForCapacityMs: z.number().int().nonnegative().optional(),
    })
    .optional(),
  /** Bounds on pipeline documents and run inputs (see PipelineLimits): nesting depth and size. */
  limits: z
    .strictObject({
      maxDepth: z.number().int().min(2).max(MAX_DEPTH_CEILING).optional(),
      maxValues: z.number().int().positive().optional(),
    })
    .optional(),
  /** Seed of every random choice the engine makes (jitter, random strategies). Default 1. */
  seed: z.number().int().optional(),
});

export type EngineConfig = z.infer<typeof engineConfigSchema>;
