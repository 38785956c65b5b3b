/** Configuration of the greeting service: validated at load time, typed inside. */
import { z } from 'zod';

export const greetingConfigSchema = z
  .strictObject({
    /** Greeting templates by language; `{name}` is replaced. Default English, French and German. */
    greetings: z.record(z.string().min(2), z.string().includes('{name}')).default({ en: 'Hello, {name}', fr: 'Bonjour, {name}', de: 'Hallo, {name}' }),
    /** Language used when a request names none. Default `en`. */
    defaultLanguage: z.string().min(2).default('en'),
    /** Appended to every greeting. Default `!`. */
    punctuation: z.string().max(3).default('!'),
  })
  .refine((c) => c.defaultLanguage in c.greetings, { path: ['defaultLanguage'], message: 'must be one of the languages in greetings' });

export type GreetingConfig = z.infer<typeof greetingConfigSchema>;
