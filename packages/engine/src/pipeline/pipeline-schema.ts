/** The pipeline file schema (zod), strict so that a misspelt key is an error, not a no-op. */
import { z } from 'zod';
import { checkLimitFields, limitFields } from './limit-schema.js';
import type { Condition, PipelineDefinition, ValueExpr } from './pipeline-types.js';
import { stepQueueFields } from './queue-order.js';

/** What a `$ref` may say: `input[.path]`, `item[.path]`, `index`, `steps.<id>.output[.path]`. */
export const REF_PATH = /^(input|item|index|steps\.[A-Za-z0-9_-]+\.output)(\.[A-Za-z0-9_-]+|\[\d+\])*$/;

/** Names that reach an object's prototype, never data: refused as path segments, step ids and keys. */
export const RESERVED_NAMES: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** Whether a `$ref` path names a prototype member (`input.__proto__`, `steps.a.output.constructor`). */
export function refReachesPrototype(path: string): boolean {
  return path.split(/[.[\]]/).some((segment) => RESERVED_NAMES.has(segment));
}

/** The longest timer Node keeps: a longer one fires after 1 ms. */
export const MAX_TIMEOUT_MS = 2_147_483_647;

const refPath = z
  .string()
  .regex(REF_PATH, { message: 'must be input[.path], item[.path], index or steps.<id>.output[.path]' })
  .refine((p) => !refReachesPrototype(p), { message: 'must not name __proto__, constructor or prototype (they are not data)' });

const refSchema = z.strictObject({ $ref: refPath });

export const valueExprSchema: z.ZodType<ValueExpr> = z.lazy(() =>
  z.union([
    z.null(),
    z.boolean(),
    z.number(),
    z.string(),
    refSchema,
    z.array(valueExprSchema),
    z.record(
      z
        .string()
        .refine((k) => k !== '$ref', { message: '$ref must be the only key of its object' })
        .refine((k) => k !== '__proto__', { message: "the key __proto__ is not allowed (it would replace the object's prototype)" }),
      valueExprSchema,
    ),
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

/** A step id: letters, digits, `_` and `-`, and not a prototype member's name. */
export const STEP_ID = /^[A-Za-z0-9_-]+$/;

const stepId = z
  .string()
  .regex(STEP_ID, { message: 'must use only letters, digits, "_" and "-"' })
  .refine((id) => !RESERVED_NAMES.has(id), { message: 'must not be __proto__, constructor or prototype' });

/** forEach fans out over an array: a literal one, or a `$ref` to one found at run time. */
const forEachSchema = z.union([refSchema, z.array(valueExprSchema)], {
  error: 'must be an array, or a { $ref } to an array produced at run time',
});

export const stepSchema = z
  .strictObject({
    id: stepId,
    task: z.string().min(1),
    input: valueExprSchema.optional(),
    dependsOn: z.array(z.string()).optional(),
    retries: retrySchema.optional(),
    timeoutMs: z
      .number()
      .int()
      .positive()
      .max(MAX_TIMEOUT_MS, { message: `must be at most ${MAX_TIMEOUT_MS} ms (about 24.8 days): Node cannot wait longer on one timer` })
      .optional(),
    when: conditionSchema.optional(),
    forEach: forEachSchema.optional(),
    capabilities: z.array(z.string().min(1)).optional(),
    key: valueExprSchema.optional(),
    tags: z.array(z.string()).optional(),
    strategy: z.string().min(1).optional(),
    cache: z.boolean().optional(),
    ...limitFields,
    ...stepQueueFields,
  })
  .superRefine(checkLimitFields);

export const pipelineSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  maxParallel: z.number().int().positive().max(10_000).optional(),
  onFailure: z.enum(['fail-fast', 'continue']).optional(),
  strategy: z.string().min(1).optional(),
  output: valueExprSchema.optional(),
  steps: z.array(stepSchema).min(1, { message: 'a pipeline needs at least one step' }),
}) satisfies z.ZodType<PipelineDefinition>;
