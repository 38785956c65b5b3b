/** The plugin: registers the predictor, feeds it outcomes, shares it, and closes it with the engine. */
import { definePlugin, type PluginContext } from '@weft/engine';
import type { InjectionToken } from 'tsyringe';
import { mlConfigSchema, type MlConfig } from './config.js';
import { MlError } from './errors.js';
import { MlPredictor } from './predictor/ml-predictor.js';
import { FileModelStore } from './store/file-store.js';
import { MemoryModelStore } from './store/memory-store.js';
import type { ModelStore } from './store/model-store.js';
import { RedisModelStore } from './store/redis-store.js';

/** Resolve the running predictor from the engine container (stats, trainNow, tests). */
export const MlPredictorToken: InjectionToken<MlPredictor> = Symbol.for('weft.plugin-ml.MlPredictor');

export function storeFor(config: MlConfig, ctx: Pick<PluginContext, 'runtime' | 'redisUrl' | 'logger'>): ModelStore {
  const kind = config.store === 'auto' ? (ctx.runtime === 'fleet' && ctx.redisUrl ? 'redis' : config.modelPath ? 'file' : 'memory') : config.store;
  if (kind === 'redis') {
    if (!ctx.redisUrl)
      throw new MlError(
        'WEFT_ML_STORE_UNAVAILABLE',
        'plugin-ml store "redis" needs a Redis URL, and the engine has none. Run in fleet mode with --redis, or set store to "memory" or "file".',
      );
    return new RedisModelStore({ url: ctx.redisUrl, key: config.redisKey, logger: ctx.logger });
  }
  if (kind === 'file') {
    if (!config.modelPath)
      throw new MlError('WEFT_ML_STORE_UNAVAILABLE', 'plugin-ml store "file" needs modelPath. Set modelPath to a writable JSON file path.');
    return new FileModelStore(config.modelPath);
  }
  return new MemoryModelStore();
}

export default definePlugin<MlConfig>({
  name: '@weft/plugin-ml',
  version: '0.1.0',
  engine: '^0.1.0',
  configSchema: mlConfigSchema,
  async setup(ctx) {
    const predictor = new MlPredictor(ctx.config, { logger: ctx.logger, store: storeFor(ctx.config, ctx) });
    await predictor.start();
    ctx.setPredictor(predictor);
    ctx.provide(MlPredictorToken, predictor);
    ctx.on('route:after', (event) => predictor.routed(event.task, event.decision.workerId));
    ctx.on('task:after', (outcome) => predictor.observe(outcome));
    ctx.on('task:error', (outcome) => predictor.observe(outcome));
    return () => predictor.close();
  },
});
