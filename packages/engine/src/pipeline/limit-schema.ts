/** The schema of the per-key limit fields a step may declare (`limitKey`, `concurrency`, `rate`). */
import { z } from 'zod';
import { refReachesPrototype } from './pipeline-schema.js';

/** A limit key's `$ref` reads data known when the task is made: the run's input, the item, its index. */
export const LIMIT_REF_PATH = /^(input|item|index)(\.[A-Za-z0-9_-]+|\[\d+\])*$/;

const limitRef = z.strictObject({
  $ref: z
    .string()
    .regex(LIMIT_REF_PATH, { message: 'must be input[.path], item[.path] or index' })
    .refine((p) => !refReachesPrototype(p), { message: 'must not name __proto__, constructor or prototype (they are not data)' }),
});

export const rateSchema = z.strictObject({
  max: z.number().int().positive().max(1_000_000),
  perMs: z.number().int().positive().max(86_400_000),
});

export const limitFields = {
  limitKey: z.union([z.string().min(1).max(256), limitRef], { error: 'must be a string, or a { $ref } to input, item or index' }).optional(),
  concurrency: z.number().int().positive().max(100_000).optional(),
  rate: rateSchema.optional(),
};

interface LimitFieldsIn {
  readonly limitKey?: unknown;
  readonly concurrency?: unknown;
  readonly rate?: unknown;
}

/** A key needs a limit, and a limit needs a key. */
export function checkLimitFields(step: LimitFieldsIn, ctx: z.RefinementCtx): void {
  const limited = step.concurrency !== undefined || step.rate !== undefined;
  if (step.limitKey !== undefined && !limited) {
    ctx.addIssue({ code: 'custom', path: ['limitKey'], message: 'a limitKey needs concurrency and/or rate: { max, perMs }' });
  }
  if (step.limitKey === undefined && limited) {
    ctx.addIssue({
      code: 'custom',
      path: [step.concurrency !== undefined ? 'concurrency' : 'rate'],
      message: 'concurrency and rate limit tasks by key: add limitKey (e.g. { $ref: input.tenant })',
    });
  }
}

/** A handler's limit fields; its key's `$ref` reads its task's input only. */
export const handlerLimitSchema = z
  .object({
    ...limitFields,
    limitKey: z
      .union(
        [
          z.string().min(1).max(256),
          z.strictObject({
            $ref: z
              .string()
              .regex(/^input(\.[A-Za-z0-9_-]+|\[\d+\])*$/)
              .refine((p) => !refReachesPrototype(p)),
          }),
        ],
        {
          error: "must be a string, or a { $ref: 'input.<field>' } into the task's input",
        },
      )
      .optional(),
  })
  .superRefine(checkLimitFields);
