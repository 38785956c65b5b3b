/** The plugin's configuration, validated at the edge with zod; every field has a default. */
import { z } from 'zod';
import { MlError } from './errors.js';

export const mlConfigSchema = z
  .object({
    /** Hidden layer sizes of the network. Default `[12]`. */
    hiddenLayers: z.array(z.number().int().positive()).min(1).default([12]),
    /** Outcomes kept for training (a ring: the oldest are dropped). Default 5000. */
    bufferSize: z.number().int().min(20).default(5000),
    /** Outcomes needed before the first training. Default 200. */
    minSamples: z.number().int().min(1).default(200),
    /** Train after this many new outcomes (N). Default 500. */
    trainEvery: z.number().int().min(1).default(500),
    /** Also train every T ms when there are new outcomes; 0 turns the timer off. Default 30000. */
    trainIntervalMs: z.number().int().min(0).default(30_000),
    /** Training passes over the buffer (brain.js `iterations`). Default 200. */
    iterations: z.number().int().min(1).default(200),
    /** brain.js learning rate. Default 0.3. */
    learningRate: z.number().positive().default(0.3),
    /** brain.js error threshold that ends training early. Default 0.001. */
    errorThresh: z.number().positive().default(0.001),
    /** Longest one training may run in the worker thread, in ms. Default 10000. */
    trainTimeoutMs: z.number().int().positive().default(10_000),
    /** Share of the buffer held out to measure the model's error. Default 0.1. */
    validationShare: z.number().min(0).max(0.5).default(0.1),
    /** Below this confidence a decision is unsure: it probes (see `probeWhenUnsure`) or, with `deferWhenUnsure`, leaves the pick to the balancing strategy. Default 0.5. */
    confidenceThreshold: z.number().min(0).max(1).default(0.5),
    /**
     * Unsure decisions that find nothing to probe go to the balancing strategy instead of the
     * expected-completion pick (whose priors treat a worker not yet seen at a type as the type's
     * average). Default false: the pick is never worse informed than the strategy's.
     */
    deferWhenUnsure: z.boolean().default(false),
    /** Outcomes of a task type on the predicted worker before the pick is fully trusted. Default 3. */
    minPairObservations: z.number().int().min(1).default(3),
    /** A model trained longer ago than this is stale and not trusted; 0 = never. Default 86400000 (a day). */
    staleAfterMs: z.number().int().min(0).default(86_400_000),
    /**
     * Share of decisions that explore instead: the candidate most plausibly faster, given how little it was seen. Default 0:
     * probes and forgetting already bring back a worker not seen for a while, and without draws the routing does not depend
     * on the seed.
     */
    explorationRate: z.number().min(0).max(1).default(0),
    /**
     * Weight of the premium (at most 10%) charged for giving a busy specialist (a worker more than
     * 10% faster than any other at some task type) work of another type; 0 turns it off. Default 10.
     */
    reserveWeight: z.number().min(0).max(100).default(10),
    /**
     * While unsure, probe instead of asking the strategy: try a free worker that has never served
     * the task's type (one probe per worker and type in flight), else the best-looking worker while
     * it has fewer than `minPairObservations` outcomes of the type and a free slot. Probes are
     * explorations (`explored: true`). false always asks the strategy. Default true.
     */
    probeWhenUnsure: z.boolean().default(true),
    /**
     * Decisions with more candidates than this encode, run through the network and score in full
     * only the candidates that can win: those of least cost by a bound that needs no model, then
     * any other whose bound does not exceed the best full cost. The network's size correction is
     * then its mean output over these. 0 scores every candidate in full. Default 16.
     */
    shortlist: z.number().int().min(0).default(16),
    /** EWMA weight of the newest outcome in per (worker, task type) latency and success statistics. Default 0.1. */
    pairAlpha: z.number().gt(0).max(1).default(0.1),
    /** Seeds exploration and training. Default 1. */
    seed: z.number().int().default(1),
    /** `auto`: Redis in fleet mode, else a file when `modelPath` is set, else memory. Default `auto`. */
    store: z.enum(['auto', 'memory', 'file', 'redis']).default('auto'),
    /** Model file for the `file` store (embedded save/load). */
    modelPath: z.string().min(1).optional(),
    /** Redis hash holding the shared model. Default `weft:ml:model`. */
    redisKey: z.string().min(1).default('weft:ml:model'),
    /** How often a runner checks Redis for a newer model, in ms; 0 = only at start. Default 2000. */
    syncIntervalMs: z.number().int().min(0).default(2000),
  })
  .strict();

/** The validated configuration (every default applied). */
export type MlConfig = z.output<typeof mlConfigSchema>;
/** What a user may write: every field optional. */
export type MlConfigInput = z.input<typeof mlConfigSchema>;

/** Applies defaults; throws WEFT_ML_CONFIG_INVALID naming each bad field. */
export function resolveConfig(input: MlConfigInput = {}): MlConfig {
  const parsed = mlConfigSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  throw new MlError('WEFT_ML_CONFIG_INVALID', `plugin-ml options are invalid: ${issues.join('; ')}. Fix these fields.`, { details: { issues } });
}
