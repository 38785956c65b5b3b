/**
 * A second plugin that injects the greeting service instead of importing its code: it works
 * with any plugin that provides the GreetingService token, configured however the user likes.
 */
import { definePlugin } from '@weft/engine';
import { z } from 'zod';
import { GreetingError } from './errors.js';
import { GreetingService } from './greeting-service.js';

export const welcomePlugin = definePlugin({
  name: '@acme/weft-plugin-welcome',
  version: '0.1.0',
  engine: '^0.1.0',
  setup(ctx) {
    const greetings = ctx.tryResolve(GreetingService);
    if (!greetings) {
      throw new GreetingError(
        'ACME_GREETING_SERVICE_MISSING',
        'No GreetingService is registered. List "@acme/weft-plugin-greeting-service" before this plugin in plugins.',
      );
    }
    ctx.registerHandler(
      'welcome.message',
      ({ name, language, team }) => ({ subject: `Welcome to ${team}`, body: `${greetings.greet(name, language)} You have joined ${team}.` }),
      { inputSchema: z.strictObject({ name: z.string().min(1), team: z.string().min(1), language: z.string().optional() }) },
    );
  },
});
