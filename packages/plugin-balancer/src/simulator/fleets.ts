/**
 * Named heterogeneous fleets for evaluation (balancer strategies here, predictors in plugin-ml).
 * Arrival rates sit at roughly a third to a half of the fleet's capacity under good routing, so
 * a router that ignores speed overloads the slow workers while a speed-aware one does not.
 */
import type { SimulationConfig } from './types.js';

const speeds = (diagnostics: number, hover: number, other: number): Record<string, number> => ({
  'lsp.diagnostics': diagnostics,
  'lsp.hover': hover,
  default: other,
});

/** Three speed classes (fast, mid, slow) with different per-type times; Python type checks only on some. */
const mixedSpeeds: SimulationConfig = {
  seed: 7,
  arrivalsPerSec: 220,
  tasks: 4000,
  noise: 0.25,
  workers: [
    { id: 'fast-1', kind: 'fast', concurrency: 4, weight: 4, serviceMs: speeds(30, 8, 20) },
    { id: 'fast-2', kind: 'fast', concurrency: 4, weight: 4, capabilities: ['lang:python'], serviceMs: { ...speeds(30, 8, 20), 'py.typecheck': 40 } },
    { id: 'mid-1', kind: 'mid', concurrency: 4, weight: 2, capabilities: ['lang:python'], serviceMs: { ...speeds(60, 15, 45), 'py.typecheck': 70 } },
    { id: 'mid-2', kind: 'mid', concurrency: 4, weight: 2, serviceMs: speeds(60, 15, 45) },
    { id: 'slow-1', kind: 'slow', concurrency: 4, weight: 1, capabilities: ['lang:python'], serviceMs: { ...speeds(150, 40, 110), 'py.typecheck': 160 } },
    { id: 'slow-2', kind: 'slow', concurrency: 4, weight: 1, serviceMs: speeds(150, 40, 110) },
  ],
  mix: [
    { type: 'lsp.diagnostics', weight: 5, language: 'typescript', sizeBytes: 4096 },
    { type: 'lsp.hover', weight: 3, language: 'typescript', sizeBytes: 512 },
    { type: 'py.typecheck', weight: 2, capabilities: ['lang:python'], language: 'python', sizeBytes: 8192 },
  ],
};

/** Equal nominal speeds, but one flaky worker, slow-downs that start and stop, and GPU-only embeddings. */
const flakyAndSlowdowns: SimulationConfig = {
  seed: 11,
  arrivalsPerSec: 400,
  tasks: 5000,
  noise: 0.3,
  workers: [
    { id: 'a-1', kind: 'cpu', concurrency: 4, capabilities: ['cpu'], failureRate: 0.02, serviceMs: { default: 30 } },
    { id: 'a-2', kind: 'cpu', concurrency: 4, capabilities: ['cpu'], serviceMs: { default: 30 }, slowdowns: [{ startMs: 2000, endMs: 6000, factor: 5 }] },
    { id: 'a-3', kind: 'cpu', concurrency: 4, capabilities: ['cpu'], failureRate: 0.3, serviceMs: { default: 30 } },
    { id: 'g-1', kind: 'gpu', concurrency: 4, capabilities: ['*'], serviceMs: { default: 30, 'ml.embed': 10 } },
    {
      id: 'g-2',
      kind: 'gpu',
      concurrency: 4,
      capabilities: ['gpu'],
      serviceMs: { default: 30, 'ml.embed': 12 },
      slowdowns: [{ startMs: 8000, endMs: 11000, factor: 4 }],
    },
    { id: 'a-4', kind: 'cpu', concurrency: 4, capabilities: ['cpu'], serviceMs: { default: 30, 'lsp.hover': 20 } },
  ],
  mix: [
    { type: 'lsp.diagnostics', weight: 6, language: 'typescript', sizeBytes: 4096 },
    { type: 'ml.embed', weight: 2, capabilities: ['gpu'], sizeBytes: 2048, tags: ['batch'] },
    { type: 'lsp.hover', weight: 2, language: 'python', sizeBytes: 256 },
  ],
};

export const fleets: Record<string, SimulationConfig> = {
  'mixed-speeds': mixedSpeeds,
  'flaky-and-slowdowns': flakyAndSlowdowns,
};
