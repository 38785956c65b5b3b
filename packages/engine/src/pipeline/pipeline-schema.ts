/** The pipeline file schema (zod), strict so that a misspelt key is an error, not a no-op. */
import { z } from 'zod';
import type { Condition, PipelineDefinition, ValueExpr } from './pipeline-types.js';

const refPath = z.string().regex(/^(input|item|index|steps\.[A-Za-z0-9_-]+\.output)(\.[A-Za-z0-9_-]+|\[\d+\])*$/, {
  message: 'must be input[.path], item[.path], index or steps.<id>.output[.path]',
});

const refSchema = z.strictObject({ $ref: refPath });

export const valueExprSchema: z.ZodType<ValueExpr> = z.lazy(() =>
  z.union([
    z.null(),
    z.boolean(),
    z.number(),
    z.string(),
    refSchema,
    z.array(valueExprSchema),
    z.record(z.string().refine((k) => k !== '$ref', { message: '$ref must be the only key of its object' }), valueExprSchema),
  ]),
);

const comparisonSchema = z.union([
  z.strictObject({ ref: refPath, eq: z.unknown() }),
  z.strictObject({ ref: refPath, ne: z.unknown() }),
  z.strictObject({ ref: refPath, gt: z.number() }),
  z.strictObject({ ref: refPath, gte: z.number() }),
  z.strictObject({ ref: refPath, lt: z.number() }),
  z.strictObject({ ref: refPath, lte: z.number() }),
  z.strictObject({ ref: refPath, in: z.array(z.unknown()) }),
  z.strictObject({ ref: refPath, exists: z.boolean() }),
  z.strictObject({ ref: refPath, truthy: z.boolean() }),
]);

export const conditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    comparisonSchema,
    z.strictObject({ all: z.array(conditionSchema).min(1) }),
    z.strictObject({ any: z.array(conditionSchema).min(1) }),
    z.strictObject({ not: conditionSchema }),
  ]),
);

const backoffSchema = z.strictObject({
  type: z.enum(['exponential', 'fixed']).optional(),
  delayMs: z.number().int().nonnegative().optional(),
  maxDelayMs: z.number().int().nonnegative().optional(),
  jitter: z.number().min(0).max(1).optional(),
});

const retrySchema = z.union([
  z.number().int().min(0).max(100),
  z.strictObject({ attempts: z.number().int().min(0).max(100), backoff: backoffSchema.optional() }),
]);

const stepId = z.string().regex(/^[A-Za-z0-9_-]+$/, { message: 'must use only letters, digits, "_" and "-"' });

export const stepSchema = z.strictObject({
  id: stepId,
  task: z.string().min(1),
  input: valueExprSchema.optional(),
  dependsOn: z.array(z.string()).optional(),
  retries: retrySchema.optional(),
  timeoutMs: z.number().int().positive().optional(),
  when: conditionSchema.optional(),
  forEach: valueExprSchema.optional(),
  capabilities: z.array(z.string().min(1)).optional(),
  key: valueExprSchema.optional(),
  tags: z.array(z.string()).optional(),
  strategy: z.string().min(1).optional(),
  cache: z.boolean().optional(),
});

export const pipelineSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  maxParallel: z.number().int().positive().max(10_000).optional(),
  onFailure: z.enum(['fail-fast', 'continue']).optional(),
  strategy: z.string().min(1).optional(),
  output: valueExprSchema.optional(),
  steps: z.array(stepSchema).min(1, { message: 'a pipeline needs at least one step' }),
}) satisfies z.ZodType<PipelineDefinition>;
