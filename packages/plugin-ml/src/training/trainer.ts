/**
 * Owns the training worker thread: one training at a time, answered by promise, terminated on
 * close(). Runs from the built `.js`; from sources (tests) it loads the `.ts` through tsx.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { MlError, errorMessage } from '../errors.js';
import { FEATURE_COUNT } from '../features/feature-spec.js';
import { OUTPUT_COUNT, type NetworkJson } from '../model/model-format.js';
import type { TrainReply, TrainRequest, TrainResponse } from './messages.js';
import type { TrainingSet } from './outcome-buffer.js';

/** The training settings of a request, fixed for the trainer's life. */
export type TrainerOptions = Pick<TrainRequest, 'hiddenLayers' | 'iterations' | 'learningRate' | 'errorThresh' | 'timeoutMs' | 'validationShare' | 'seed'>;

interface Pending {
  resolve(r: TrainResponse): void;
  reject(e: Error): void;
}

function startWorker(): Worker {
  const js = new URL('./train-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(js))) return new Worker(js);
  // Running from sources (tests): register tsx in the thread, then import the TypeScript entry.
  const tsxApi = pathToFileURL(
    createRequire(import.meta.url)
      .resolve('tsx/esm/api')
      .replace(/\.cjs$/, '.mjs'),
  ).href;
  const ts = new URL('./train-worker.ts', import.meta.url).href;
  return new Worker(`import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(ts)}); });`, { eval: true });
}

export class Trainer {
  private worker: Worker | undefined;
  private pending: Pending | undefined;
  private nextId = 1;
  private runs = 0;
  private closed = false;

  constructor(private readonly options: TrainerOptions) {}

  /** Whether a training is in flight now. */
  get busy(): boolean {
    return this.pending !== undefined;
  }

  /** Trains on `set` in the worker thread; rejects with WEFT_ML_TRAINING_FAILED. One at a time. */
  train(set: TrainingSet, warmStart?: NetworkJson): Promise<TrainResponse> {
    if (this.closed) return Promise.reject(new MlError('WEFT_ML_CLOSED', 'The trainer is closed; create a new predictor to train.'));
    if (this.pending) return Promise.reject(new MlError('WEFT_ML_TRAINING_FAILED', 'A training is already in flight; wait for it before starting another.'));
    const worker = this.ensureWorker();
    const o = this.options;
    const req: TrainRequest = {
      kind: 'train',
      id: this.nextId++,
      inputs: set.inputs,
      targets: set.targets,
      count: set.count,
      featureCount: FEATURE_COUNT,
      outputCount: OUTPUT_COUNT,
      hiddenLayers: o.hiddenLayers,
      iterations: o.iterations,
      learningRate: o.learningRate,
      errorThresh: o.errorThresh,
      timeoutMs: o.timeoutMs,
      validationShare: o.validationShare,
      seed: (o.seed + this.runs++) >>> 0,
      ...(warmStart ? { warmStart } : {}),
    };
    return new Promise<TrainResponse>((resolve, reject) => {
      this.pending = { resolve, reject };
      // Held while training so an awaiting caller is not left behind by a process exit.
      worker.ref();
      worker.postMessage(req, [req.inputs.buffer as ArrayBuffer, req.targets.buffer as ArrayBuffer]);
    });
  }

  /** Terminates the thread; a training in flight rejects with WEFT_ML_CLOSED. */
  async close(): Promise<void> {
    this.closed = true;
    const w = this.worker;
    this.worker = undefined;
    this.settle(undefined, new MlError('WEFT_ML_CLOSED', 'The predictor closed while a training was in flight.'));
    if (w) await w.terminate();
  }

  /** Whether the worker thread exists now (for close() checks). */
  get threadAlive(): boolean {
    return this.worker !== undefined;
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = startWorker();
    // An idle training thread must not keep a process alive; close() still terminates it.
    worker.unref();
    worker.on('message', (reply: TrainReply) => {
      if (reply.kind === 'trained') this.settle(reply);
      else
        this.settle(
          undefined,
          new MlError('WEFT_ML_TRAINING_FAILED', `Training failed in the worker thread: ${reply.message}. The current model stays in use.`),
        );
    });
    worker.on('error', (err) => {
      this.worker = undefined;
      this.settle(
        undefined,
        new MlError(
          'WEFT_ML_TRAINING_FAILED',
          `The training thread crashed: ${errorMessage(err)}. The current model stays in use; the next training starts a new thread.`,
          { cause: err },
        ),
      );
    });
    worker.on('exit', (code) => {
      if (this.worker === worker) this.worker = undefined;
      this.settle(undefined, new MlError('WEFT_ML_TRAINING_FAILED', `The training thread exited (code ${code}). The current model stays in use.`));
    });
    this.worker = worker;
    return worker;
  }

  private settle(result: TrainResponse | undefined, error?: Error): void {
    const p = this.pending;
    if (!p) return;
    this.pending = undefined;
    this.worker?.unref();
    if (result) p.resolve(result);
    else p.reject(error ?? new MlError('WEFT_ML_TRAINING_FAILED', 'Training ended without a result.'));
  }
}
