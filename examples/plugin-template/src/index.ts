/** The package's only door: the plugin as the default export, its parts by name. */
import { templatePlugin } from './plugin.js';

export default templatePlugin;
export { templatePlugin, PLUGIN_NAME, PLUGIN_VERSION } from './plugin.js';
export { templateConfigSchema, type TemplateConfig } from './config.js';
export { MostReliableStrategy } from './most-reliable-strategy.js';
export { TaskTally, TaskTallyService } from './task-tally.js';
export { WORD_COUNT_TASK, wordCountHandler, wordCountInput, type WordCountInput, type WordCountOutput } from './word-count-handler.js';
export { TemplateError, TemplateErrorCodes, type TemplateErrorCode } from './errors.js';
