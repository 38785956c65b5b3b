/** Embedded default: the model lives in this process only. */
import type { ModelSnapshot } from '../model/model-format.js';
import type { ModelStore, UnversionedModel } from './model-store.js';

export class MemoryModelStore implements ModelStore {
  readonly kind: string = 'memory';
  protected current: ModelSnapshot | undefined;
  protected version = 0;

  async open(): Promise<void> {}

  async load(): Promise<ModelSnapshot | undefined> {
    return this.current;
  }

  async latestVersion(): Promise<number | undefined> {
    return this.current?.version;
  }

  async publish(model: UnversionedModel): Promise<number> {
    this.version++;
    this.current = { ...model, version: this.version };
    return this.version;
  }

  async close(): Promise<void> {}
}
