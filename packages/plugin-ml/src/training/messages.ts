/** The messages between the predictor's thread and the training thread. */
import type { NetworkJson } from '../model/model-format.js';

export interface TrainRequest {
  readonly kind: 'train';
  readonly id: number;
  readonly inputs: Float32Array;
  readonly targets: Float32Array;
  readonly count: number;
  readonly featureCount: number;
  readonly outputCount: number;
  readonly hiddenLayers: readonly number[];
  readonly iterations: number;
  readonly learningRate: number;
  readonly errorThresh: number;
  readonly timeoutMs: number;
  /** Share of samples held out to measure quality. */
  readonly validationShare: number;
  /** Seeds weight initialisation and the train/validation split. */
  readonly seed: number;
  /** Previous network with the same sizes: training continues from it. */
  readonly warmStart?: NetworkJson;
}

export interface TrainResponse {
  readonly kind: 'trained';
  readonly id: number;
  readonly network: NetworkJson;
  readonly validationMae: number;
  readonly baselineMae: number;
  readonly validationSamples: number;
  readonly iterations: number;
  readonly trainingError: number;
  readonly durationMs: number;
}

export interface TrainFailure {
  readonly kind: 'failed';
  readonly id: number;
  readonly message: string;
}

export type TrainReply = TrainResponse | TrainFailure;
