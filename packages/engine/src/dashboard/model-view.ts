/** plugin-ml's shared model as the dashboard shows it: version, samples and measured skill. */
import type { RedisClient } from '../fleet/redis-connection.js';

export interface ModelView {
  readonly version: number;
  readonly samples?: number;
  readonly trainedAt?: string;
  /** 1 − validation MAE / baseline MAE: above 0 when the model beats the baseline. */
  readonly skill?: number;
  readonly validationMae?: number;
  readonly baselineMae?: number;
}

interface StoredModel {
  readonly samples?: number;
  readonly trainedAt?: number;
  readonly quality?: { readonly validationMae?: number; readonly baselineMae?: number };
}

let cached: { key: string; version: string; view: ModelView } | undefined;

/** The model's summary, or undefined when no runner shares a model in Redis. Its body is parsed once per version. */
export async function readModel(redis: RedisClient, key: string): Promise<ModelView | undefined> {
  const version = await redis.hget(key, 'version');
  if (version === null) return undefined;
  if (cached?.key === key && cached.version === version) return cached.view;
  const body = await redis.hget(key, 'body');
  let stored: StoredModel = {};
  try {
    stored = body === null ? {} : (JSON.parse(body) as StoredModel);
  } catch {
    // A body this reader cannot parse still has a version to show.
  }
  const q = stored.quality;
  const view: ModelView = {
    version: Number(version),
    ...(typeof stored.samples === 'number' ? { samples: stored.samples } : {}),
    ...(typeof stored.trainedAt === 'number' ? { trainedAt: new Date(stored.trainedAt).toISOString() } : {}),
    ...(q?.validationMae !== undefined && q.baselineMae !== undefined && q.baselineMae > 0
      ? { skill: Number((1 - q.validationMae / q.baselineMae).toFixed(3)), validationMae: q.validationMae, baselineMae: q.baselineMae }
      : {}),
  };
  cached = { key, version, view };
  return view;
}
