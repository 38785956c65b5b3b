/** The plugin itself: what the engine loads when configuration names this package. */
import { definePlugin } from '@weft/engine';
import { templateConfigSchema, type TemplateConfig } from './config.js';
import { MostReliableStrategy } from './most-reliable-strategy.js';
import { TaskTally, TaskTallyService } from './task-tally.js';
import { WORD_COUNT_TASK, wordCountHandler, wordCountInput } from './word-count-handler.js';

export const PLUGIN_NAME = '@acme/weft-plugin-template';
/** Keep in step with package.json: the engine logs it and records it in `engine.plugins`. */
export const PLUGIN_VERSION = '0.1.0';

export const templatePlugin = definePlugin<TemplateConfig>({
  name: PLUGIN_NAME,
  version: PLUGIN_VERSION,
  // The engine releases this plugin supports; the same range as the peerDependency.
  engine: '^0.1.0',
  configSchema: templateConfigSchema,
  setup(ctx) {
    ctx.registerHandler(WORD_COUNT_TASK, wordCountHandler(ctx.config.minWordLength), {
      inputSchema: wordCountInput,
      description: 'Counts the words of a text and names the most frequent one.',
    });
    ctx.registerStrategy(new MostReliableStrategy(ctx.config.strategyName));
    const tally = new TaskTallyService();
    ctx.on('task:after', tally.onTaskAfter);
    ctx.provide(TaskTally, tally);
    ctx.logger.debug({ strategy: ctx.config.strategyName }, 'template plugin ready');
  },
});
