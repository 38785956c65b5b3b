/** Embedded with persistence: the model in memory, saved to a JSON file and loaded from it. */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { MlError, errorMessage } from '../errors.js';
import { parseModel, type ModelSnapshot } from '../model/model-format.js';
import { MemoryModelStore } from './memory-store.js';
import type { UnversionedModel } from './model-store.js';

export class FileModelStore extends MemoryModelStore {
  override readonly kind = 'file';

  constructor(readonly filePath: string) {
    super();
  }

  /** Loads the saved model, if the file exists; a corrupt or incompatible one throws. */
  override async open(): Promise<void> {
    await this.load();
  }

  override async load(): Promise<ModelSnapshot | undefined> {
    let text: string;
    try {
      text = await readFile(this.filePath, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return this.current;
      throw new MlError(
        'WEFT_ML_STORE_UNAVAILABLE',
        `Cannot read the model file ${this.filePath}: ${errorMessage(err)}. Check its permissions or set another modelPath.`,
        { cause: err, details: { path: this.filePath } },
      );
    }
    const model = parseModel(text, `file ${this.filePath}`);
    this.current = model;
    this.version = Math.max(this.version, model.version);
    return model;
  }

  override async publish(model: UnversionedModel): Promise<number> {
    const version = await super.publish(model);
    // Write then rename, so a reader (or a crash) never sees half a model.
    const tmp = `${this.filePath}.${process.pid}.tmp`;
    try {
      await mkdir(path.dirname(this.filePath), { recursive: true });
      await writeFile(tmp, JSON.stringify(this.current));
      await rename(tmp, this.filePath);
    } catch (err) {
      throw new MlError(
        'WEFT_ML_STORE_UNAVAILABLE',
        `Cannot write the model file ${this.filePath}: ${errorMessage(err)}. The model stays in memory; check the directory or set another modelPath.`,
        { cause: err, details: { path: this.filePath } },
      );
    }
    return version;
  }
}
