/**
 * Wraps a user's model (a local ONNX runtime, a service, anything that maps text to numbers)
 * as an Embedder the cache can trust: checks the length, rejects non-finite values, normalises.
 */
import type { Embedder } from '@weft/engine';
import { normalise } from '../ann/vector-math.js';
import { CacheError } from '../errors.js';

export interface ModelEmbedderOptions {
  /** Shown in logs and stats (`my-model@3`). */
  name: string;
  dimensions: number;
  /** The model call. */
  embed(text: string): Promise<ArrayLike<number>> | ArrayLike<number>;
}

export function embedderFromModel(options: ModelEmbedderOptions): Embedder {
  const check = (raw: ArrayLike<number>): Float32Array => {
    if (raw.length !== options.dimensions) {
      throw new CacheError(
        'WEFT_CACHE_EMBEDDER_INVALID',
        `Embedder "${options.name}" returned ${raw.length} numbers, declared ${options.dimensions}. Fix its dimensions option or the model call.`,
        { details: { embedder: options.name } },
      );
    }
    const v = Float32Array.from(raw);
    for (let i = 0; i < v.length; i++) {
      if (!Number.isFinite(v[i]!)) {
        throw new CacheError('WEFT_CACHE_EMBEDDER_INVALID', `Embedder "${options.name}" returned a non-finite value at index ${i}. Check the model's input.`, {
          details: { embedder: options.name },
        });
      }
    }
    return normalise(v);
  };
  return {
    name: options.name,
    dimensions: options.dimensions,
    embed(text) {
      const out = options.embed(text);
      return out instanceof Promise ? out.then(check) : check(out);
    },
  };
}
