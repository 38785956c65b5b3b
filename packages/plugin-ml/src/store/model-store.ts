/** Where the current model lives: memory (embedded), a file, or Redis (fleet). */
import type { ModelSnapshot } from '../model/model-format.js';

/** A trained model before a store has given it a version. */
export type UnversionedModel = Omit<ModelSnapshot, 'version'>;

export interface ModelStore {
  /** `memory`, `file`, `redis`: recorded in logs. */
  readonly kind: string;
  /** Connects if needed; throws WEFT_ML_STORE_UNAVAILABLE. */
  open(): Promise<void>;
  /**
   * The latest stored model, or undefined when none is stored. Throws WEFT_ML_MODEL_CORRUPT,
   * WEFT_ML_MODEL_INCOMPATIBLE or WEFT_ML_STORE_UNAVAILABLE.
   */
  load(): Promise<ModelSnapshot | undefined>;
  /** Version of the latest stored model (cheap), or undefined when none is stored. */
  latestVersion(): Promise<number | undefined>;
  /** Stores a model as the latest and returns the version it was given (greater than any before). */
  publish(model: UnversionedModel): Promise<number>;
  close(): Promise<void>;
}
