/** Validates a SimulationConfig at the edge so a bad fleet fails with the field named, not a NaN report. */
import { z } from 'zod';
import { BalancerError } from '../errors.js';
import { formatIssues } from '../config/format-issues.js';
import type { SimulationConfig } from './types.js';

const positive = z.number().finite().positive();

const workerSchema = z.object({
  id: z.string().min(1),
  capabilities: z.array(z.string().min(1)).optional(),
  concurrency: z.number().int().positive(),
  kind: z.string().optional(),
  weight: positive.optional(),
  serviceMs: z
    .record(z.string(), z.number().finite().nonnegative())
    .refine((r) => Object.keys(r).length > 0, 'give at least one service time (`default` covers every type)'),
  failureRate: z.number().min(0).max(1).optional(),
  slowdowns: z.array(z.object({ startMs: z.number().nonnegative(), endMs: z.number().nonnegative(), factor: positive })).optional(),
});

const kindSchema = z.object({
  type: z.string().min(1),
  weight: positive,
  capabilities: z.array(z.string().min(1)).optional(),
  sizeBytes: z.number().int().nonnegative().optional(),
  sizeSigma: z.number().min(0).max(3).optional(),
  tags: z.array(z.string()).optional(),
  language: z.string().optional(),
  keys: z.number().int().positive().optional(),
});

export const simulationConfigSchema = z.object({
  seed: z.number().int(),
  workers: z.array(workerSchema).min(1),
  mix: z.array(kindSchema).min(1),
  arrivalsPerSec: positive,
  tasks: z.number().int().positive(),
  noise: z.number().min(0).optional(),
  burst: z.object({ onMs: positive, offMs: z.number().finite().nonnegative() }).optional(),
});

export function checkSimulationConfig(config: SimulationConfig): void {
  const parsed = simulationConfigSchema.safeParse(config);
  if (!parsed.success) {
    const issues = formatIssues(parsed.error.issues, 'simulation');
    throw new BalancerError('WEFT_BALANCER_SIM_CONFIG_INVALID', `Simulation config is invalid: ${issues.join('; ')}. Fix these fields.`, {
      details: { issues },
    });
  }
  const ids = new Set<string>();
  config.workers.forEach((w, i) => {
    if (ids.has(w.id))
      throw new BalancerError('WEFT_BALANCER_SIM_CONFIG_INVALID', `simulation.workers[${i}].id: "${w.id}" is used twice. Give each worker its own id.`, {
        details: { field: `workers[${i}].id` },
      });
    ids.add(w.id);
  });
}
