/**
 * The engine's own configuration, validated at the edge with zod. Every default lives here: the
 * schema applies it, code reads the parsed value, and the README's table is tested against it.
 */
import { z } from 'zod';
import { DEFAULT_MAX_DEPTH, DEFAULT_MAX_VALUES, MAX_DEPTH_CEILING } from '../pipeline/limits.js';

/** The defaults of an embedded worker slot, also applied to slots built in code (MemoryExecutor). */
export const WORKER_DEFAULTS = { capabilities: ['*'], concurrency: 4, weight: 1, kind: 'embedded' } as const;

/** Dead-letter retention by default: 10,000 entries, 7 days, inputs up to 64 KiB, stacks up to 4,000 characters. */
export const DEAD_LETTER_DEFAULTS = { maxEntries: 10_000, maxAgeMs: 7 * 86_400_000, maxInputBytes: 64 * 1024, maxStackChars: 4000 } as const;

const workerSchema = z.strictObject({
  id: z.string().min(1),
  /** What the slot accepts; `*` accepts every task. */
  capabilities: z.array(z.string().min(1)).default([...WORKER_DEFAULTS.capabilities]),
  /** Tasks run at once on this slot. */
  concurrency: z.number().int().positive().default(WORKER_DEFAULTS.concurrency),
  weight: z.number().positive().default(WORKER_DEFAULTS.weight),
  kind: z.string().default(WORKER_DEFAULTS.kind),
});

export const engineConfigSchema = z.strictObject({
  /** Plugins by package name (or path relative to the config file), with their config. */
  plugins: z.array(z.union([z.string().min(1), z.strictObject({ name: z.string().min(1), config: z.unknown().optional() })])).default([]),
  /** Embedded worker slots. Default: one slot `local` accepting every task, concurrency 8. */
  workers: z
    .array(workerSchema)
    .min(1)
    .prefault([{ id: 'local', concurrency: 8 }]),
  routing: z
    .strictObject({
      /** Default: the only registered strategy, else the built-in least-in-flight. */
      strategy: z.string().min(1).optional(),
      strategyOptions: z.record(z.string(), z.record(z.string(), z.unknown())).default({}),
      /** How long a task waits, in ms, when every capable worker is refused by a guard. */
      waitForCapacityMs: z.number().int().nonnegative().default(30_000),
    })
    .prefault({}),
  /** Bounds on pipeline documents and run inputs (see PipelineLimits): nesting depth and size. */
  limits: z
    .strictObject({
      maxDepth: z.number().int().min(2).max(MAX_DEPTH_CEILING).default(DEFAULT_MAX_DEPTH),
      maxValues: z.number().int().positive().default(DEFAULT_MAX_VALUES),
    })
    .prefault({}),
  /**
   * Dead letters (tasks that failed for good): how many and how long they are kept (in Redis on a
   * fleet, in memory embedded), and the largest input kept with an entry (larger: a size marker).
   */
  deadLetters: z
    .strictObject({
      maxEntries: z.number().int().positive().default(DEAD_LETTER_DEFAULTS.maxEntries),
      maxAgeMs: z.number().int().positive().default(DEAD_LETTER_DEFAULTS.maxAgeMs),
      maxInputBytes: z.number().int().nonnegative().default(DEAD_LETTER_DEFAULTS.maxInputBytes),
      maxStackChars: z.number().int().nonnegative().default(DEAD_LETTER_DEFAULTS.maxStackChars),
    })
    .prefault({}),
  /** Seed of every random choice the engine makes (jitter, random strategies). */
  seed: z.number().int().default(1),
});

/** The configuration as the engine reads it: every default applied. */
export type EngineConfig = z.output<typeof engineConfigSchema>;
/** The configuration as a user writes it: every field with a default may be left out. */
export type EngineConfigInput = z.input<typeof engineConfigSchema>;
