/**
 * The training thread: the only module that loads brain.js. It trains on a copy of the outcome
 * buffer and answers with the network JSON and its held-out error; dispatch never waits for it.
 */
import { platform, setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { NeuralNetwork } from 'brain.js';
import type { NetworkJson } from '../model/model-format.js';
import type { TrainReply, TrainRequest } from './messages.js';

/** mulberry32, as the engine's seededRandom: brain.js initialises weights with Math.random. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function train(req: TrainRequest): TrainReply {
  const started = performance.now();
  const random = seeded(req.seed);
  // This thread is its own realm: seeding Math.random here makes weight init replayable.
  Math.random = random;
  const order = Array.from({ length: req.count }, (_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const validationCount = req.count >= 20 ? Math.floor(req.count * req.validationShare) : 0;
  const sample = (i: number): { input: number[]; output: number[] } => ({
    input: Array.from(req.inputs.subarray(i * req.featureCount, (i + 1) * req.featureCount)),
    output: Array.from(req.targets.subarray(i * req.outputCount, (i + 1) * req.outputCount)),
  });
  const validation = order.slice(0, validationCount).map(sample);
  const training = order.slice(validationCount).map(sample);
  const net = new NeuralNetwork<number[], number[]>({ hiddenLayers: [...req.hiddenLayers], activation: 'sigmoid' });
  const sizes = [req.featureCount, ...req.hiddenLayers, req.outputCount];
  const warm = req.warmStart;
  if (warm && warm.sizes.length === sizes.length && warm.sizes.every((s, i) => s === sizes[i])) {
    // brain.js types fromJSON with its own INeuralNetworkJSON; the shape was checked by parseModel.
    net.fromJSON(warm as unknown as Parameters<typeof net.fromJSON>[0]);
  }
  const stats = net.train(training, {
    iterations: req.iterations,
    learningRate: req.learningRate,
    errorThresh: req.errorThresh,
    timeout: req.timeoutMs,
    log: false,
  });
  let mae = 0;
  let baseline = 0;
  for (const v of validation) {
    const out = net.run(v.input);
    mae += Math.abs((out[0] ?? 0.5) - v.output[0]!);
    baseline += Math.abs(0.5 - v.output[0]!);
  }
  const n = Math.max(1, validation.length);
  return {
    kind: 'trained',
    id: req.id,
    network: net.toJSON() as unknown as NetworkJson,
    validationMae: mae / n,
    baselineMae: baseline / n,
    validationSamples: validation.length,
    iterations: stats.iterations,
    trainingError: stats.error,
    durationMs: performance.now() - started,
  };
}

// On Linux a nice value is per thread: training yields the CPU to the dispatching thread.
if (platform() === 'linux') {
  try {
    setPriority(19);
  } catch {
    // Not permitted here: training still runs, at normal priority.
  }
}

parentPort?.on('message', (req: TrainRequest) => {
  let reply: TrainReply;
  try {
    reply = train(req);
  } catch (err) {
    reply = { kind: 'failed', id: req.id, message: err instanceof Error ? err.message : String(err) };
  }
  parentPort?.postMessage(reply);
});
