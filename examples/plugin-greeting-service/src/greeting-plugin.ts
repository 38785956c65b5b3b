/** Provides the greeting service to every plugin loaded after it, and a `greeting.greet` task. */
import { definePlugin } from '@weft/engine';
import { z } from 'zod';
import { greetingConfigSchema, type GreetingConfig } from './config.js';
import { ConfiguredGreetingService, GreetingService } from './greeting-service.js';

export const greetingPlugin = definePlugin<GreetingConfig>({
  name: '@acme/weft-plugin-greeting-service',
  version: '0.1.0',
  engine: '^0.1.0',
  configSchema: greetingConfigSchema,
  setup(ctx) {
    const service = new ConfiguredGreetingService(ctx.config);
    ctx.provide(GreetingService, service);
    ctx.registerHandler('greeting.greet', ({ name, language }) => service.greet(name, language), {
      inputSchema: z.strictObject({ name: z.string().min(1), language: z.string().optional() }),
      description: 'A greeting for one name, in a configured language.',
    });
  },
});
