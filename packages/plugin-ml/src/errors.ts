/**
 * The one table of plugin-ml error codes. Codes are literal types so `err.code === '…'` narrows;
 * every message names the thing, the place and the fix.
 */
import { WeftError, type WeftErrorOptions } from '@weft/engine';

export const MlErrorCodes = {
  WEFT_ML_MODEL_CORRUPT: 'A stored model is not valid JSON or does not have the shape of a Weft model.',
  WEFT_ML_MODEL_INCOMPATIBLE: 'A stored model was made for another feature encoding or model format.',
  WEFT_ML_STORE_UNAVAILABLE: 'The model store (Redis or a file) could not be read or written.',
  WEFT_ML_TRAINING_FAILED: 'The training worker thread failed or exited.',
  WEFT_ML_CONFIG_INVALID: 'Options given to MlPredictor directly failed the configuration schema.',
  WEFT_ML_CLOSED: 'The predictor was used after close().',
} as const;

export type MlErrorCode = keyof typeof MlErrorCodes;

export type MlErrorOptions = Omit<WeftErrorOptions, 'retryable'>;

/** Every error plugin-ml throws on purpose. */
export class MlError<C extends MlErrorCode = MlErrorCode> extends WeftError<C> {
  constructor(code: C, message: string, options: MlErrorOptions = {}) {
    super(code, message, options);
    this.name = 'MlError';
  }
}

export function isMlError<C extends MlErrorCode>(err: unknown, code?: C): err is MlError<C> {
  return err instanceof MlError && (code === undefined || err.code === code);
}

export { errorMessage } from '@weft/engine';
