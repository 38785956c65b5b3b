/**
 * The stored form of a model: brain.js's network JSON plus what Weft needs to trust it (format,
 * feature encoding, version, held-out quality, coverage). parseModel refuses anything else.
 */
import { z } from 'zod';
import { MlError, errorMessage } from '../errors.js';
import { FEATURE_COUNT, FEATURE_VERSION, TYPE_BUCKETS } from '../features/feature-spec.js';

export const MODEL_FORMAT = 'weft-ml-model';
export const MODEL_FORMAT_VERSION = 1;
/** Outputs of the network: [duration ratio, success probability]. */
export const OUTPUT_COUNT = 2;

const finite = z.number().refine(Number.isFinite, 'must be a finite number');

const networkSchema = z
  .object({
    type: z.literal('NeuralNetwork'),
    sizes: z.array(z.number().int().positive()).min(2),
    layers: z.array(z.object({ weights: z.array(z.array(finite)), biases: z.array(finite) })),
    options: z.object({ activation: z.string().optional() }).passthrough().optional(),
    trainOpts: z.object({ activation: z.string().optional() }).passthrough().optional(),
  })
  .passthrough();

const snapshotSchema = z.object({
  format: z.literal(MODEL_FORMAT),
  formatVersion: z.number().int(),
  featureVersion: z.number().int(),
  featureCount: z.number().int(),
  version: z.number().int().nonnegative(),
  trainedAt: z.number(),
  samples: z.number().int().nonnegative(),
  quality: z.object({ validationMae: finite, baselineMae: finite, validationSamples: z.number().int().nonnegative() }),
  typeCoverage: z.array(z.number().nonnegative()).length(TYPE_BUCKETS),
  network: networkSchema,
});

/** brain.js NeuralNetwork JSON, as toJSON() writes it (only the fields Weft reads are typed). */
export type NetworkJson = z.infer<typeof networkSchema>;

export interface ModelQuality {
  /** Mean absolute error of the duration output on held-out samples (network scale, 0..1). */
  readonly validationMae: number;
  /** The same error when predicting the baseline duration (output 0.5) for every sample. */
  readonly baselineMae: number;
  readonly validationSamples: number;
}

export interface ModelSnapshot {
  readonly format: typeof MODEL_FORMAT;
  readonly formatVersion: number;
  readonly featureVersion: number;
  readonly featureCount: number;
  /** Monotonic model version, assigned by the store that published it. */
  readonly version: number;
  /** Epoch ms when training finished. */
  readonly trainedAt: number;
  /** Samples the model was trained on. */
  readonly samples: number;
  readonly quality: ModelQuality;
  /** Training samples per task-type bucket (see FEATURES `task.type#i`). */
  readonly typeCoverage: readonly number[];
  readonly network: NetworkJson;
}

/**
 * Parses and checks a stored model. Throws WEFT_ML_MODEL_CORRUPT for bad JSON or shape and
 * WEFT_ML_MODEL_INCOMPATIBLE for another format or feature encoding. `where` names the source.
 */
export function parseModel(input: unknown, where: string): ModelSnapshot {
  let value: unknown = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (err) {
      throw new MlError(
        'WEFT_ML_MODEL_CORRUPT',
        `The model stored in ${where} is not valid JSON (${errorMessage(err)}). Delete it; the predictor retrains from new outcomes.`,
        { cause: err, details: { where } },
      );
    }
  }
  const head = z.object({ format: z.string(), formatVersion: z.number(), featureVersion: z.number(), featureCount: z.number() }).safeParse(value);
  if (head.success) {
    const h = head.data;
    if (h.format !== MODEL_FORMAT || h.formatVersion !== MODEL_FORMAT_VERSION || h.featureVersion !== FEATURE_VERSION || h.featureCount !== FEATURE_COUNT) {
      throw new MlError(
        'WEFT_ML_MODEL_INCOMPATIBLE',
        `The model stored in ${where} is ${h.format} format ${h.formatVersion} with feature encoding ${h.featureVersion} (${h.featureCount} features); this plugin needs ${MODEL_FORMAT} format ${MODEL_FORMAT_VERSION}, encoding ${FEATURE_VERSION} (${FEATURE_COUNT} features). Delete it or upgrade the plugin on every runner; the predictor retrains from new outcomes.`,
        { details: { where, found: h, expected: { formatVersion: MODEL_FORMAT_VERSION, featureVersion: FEATURE_VERSION, featureCount: FEATURE_COUNT } } },
      );
    }
  }
  const parsed = snapshotSchema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 3)
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('; ');
    throw new MlError(
      'WEFT_ML_MODEL_CORRUPT',
      `The model stored in ${where} is not a Weft model (${issues}). Delete it; the predictor retrains from new outcomes.`,
      { details: { where, issues } },
    );
  }
  checkNetworkShape(parsed.data.network, where);
  return parsed.data;
}

function checkNetworkShape(net: NetworkJson, where: string): void {
  const activation = net.trainOpts?.activation ?? net.options?.activation ?? 'sigmoid';
  const sizes = net.sizes;
  const fail = (why: string): never => {
    throw new MlError('WEFT_ML_MODEL_INCOMPATIBLE', `The network in ${where} ${why}. Delete it; the predictor retrains from new outcomes.`, {
      details: { where, sizes },
    });
  };
  if (activation !== 'sigmoid') fail(`uses activation "${activation}" (only sigmoid is supported)`);
  if (sizes[0] !== FEATURE_COUNT || sizes[sizes.length - 1] !== OUTPUT_COUNT)
    fail(`has sizes [${sizes.join(', ')}], not ${FEATURE_COUNT} inputs and ${OUTPUT_COUNT} outputs`);
  if (net.layers.length !== sizes.length) fail(`has ${net.layers.length} layers for ${sizes.length} sizes`);
  for (let l = 1; l < sizes.length; l++) {
    const layer = net.layers[l]!;
    if (layer.weights.length !== sizes[l] || layer.biases.length !== sizes[l] || layer.weights.some((w) => w.length !== sizes[l - 1])) {
      throw new MlError(
        'WEFT_ML_MODEL_CORRUPT',
        `The network in ${where} has a layer ${l} whose weights do not match sizes [${sizes.join(', ')}]. Delete it; the predictor retrains from new outcomes.`,
        { details: { where, layer: l } },
      );
    }
  }
}
