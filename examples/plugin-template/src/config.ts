/** The plugin's configuration, validated by the engine before setup() runs. */
import { z } from 'zod';

export const templateConfigSchema = z.strictObject({
  /** Words shorter than this are not counted by `template.wordCount`. Default 1. */
  minWordLength: z.number().int().min(1).default(1),
  /** Name the strategy is registered under; pipelines ask for it with `strategy:`. Default `most-reliable`. */
  strategyName: z.string().min(1).default('most-reliable'),
});

export type TemplateConfig = z.infer<typeof templateConfigSchema>;
