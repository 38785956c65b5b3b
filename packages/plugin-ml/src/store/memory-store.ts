/** Embedded default: the model lives in this process only. */
import type { ModelSnapshot } from '../model/model-format.js';
import type { ModelStore, UnversionedModel } from './model-store.js';

export class MemoryModelStore implements ModelStore {
  readonly kind: string = 'memory';
  protected current: ModelSnapshot | undefined;
  protected version = 0;

  async open(): Promise<void> {}

  load(): Promise<ModelSnapshot | undefined> {
    return Promise.resolve(this.current);
  }

  latestVersion(): Promise<number | undefined> {
    return Promise.resolve(this.current?.version);
  }

  publish(model: UnversionedModel): Promise<number> {
    this.version++;
    this.current = { ...model, version: this.version };
    return Promise.resolve(this.version);
  }

  async close(): Promise<void> {}
}
