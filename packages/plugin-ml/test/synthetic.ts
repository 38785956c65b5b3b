/** A seeded synthetic stream of tasks and outcomes: worker speed depends on task type, size and load. */
import type { TaskDescriptor, TaskOutcome, WorkerView } from '@weft/engine';
import { seededRandom } from '@weft/engine/util';
import type { MlPredictor } from '@weft/plugin-ml';

export const TYPES = ['lsp.diagnostics', 'lsp.hover', 'build', 'test'] as const;

export interface SynthWorker {
  view: WorkerView & { stats: { inFlight: number; ewmaLatencyMs: number; successRate: number; completed: number; failed: number; recentErrors: string[] } };
  /** Service time per task type, in ms. */
  speed: Record<string, number>;
  failRate: number;
}

export function synthFleet(seed: number, n = 6): SynthWorker[] {
  const r = seededRandom(seed);
  return Array.from({ length: n }, (_, i) => ({
    view: {
      id: `w${seed}-${i}`,
      capabilities: ['*'],
      concurrency: 4,
      weight: 1,
      kind: i % 2 === 0 ? 'cpu' : 'gpu-box',
      stats: { inFlight: 0, ewmaLatencyMs: 0, successRate: 1, completed: 0, failed: 0, recentErrors: [] },
    },
    speed: Object.fromEntries(TYPES.map((t) => [t, 20 + Math.floor(r() * 200)])),
    failRate: r() * 0.1,
  }));
}

export function synthTask(r: () => number, i: number): TaskDescriptor {
  const type = TYPES[Math.floor(r() * TYPES.length)]!;
  return {
    id: `run:${i}`,
    runId: 'run',
    stepId: `s${i}`,
    type,
    input: {},
    capabilities: [],
    tags: r() < 0.5 ? ['lang:python'] : ['lang:typescript'],
    sizeBytes: Math.floor(r() * 100_000),
    attempt: 1,
    handlerVersion: '1',
    idempotencyKey: `run:${i}`,
  };
}

/** True duration: service × size factor × load factor × noise. */
export function synthDuration(w: SynthWorker, task: TaskDescriptor, r: () => number): number {
  const sizeFactor = 1 + task.sizeBytes / 50_000;
  const loadFactor = 1 + 0.5 * (w.view.stats.inFlight / w.view.concurrency);
  return w.speed[task.type]! * sizeFactor * loadFactor * (0.9 + 0.2 * r());
}

/**
 * Feeds `count` tasks: each is predicted, sent to a random worker (so every pair is seen), and
 * its outcome observed. Returns the mean absolute log error of the predicted duration of the
 * chosen worker (only when the predictor gave scores).
 */
export function feed(predictor: MlPredictor, fleet: SynthWorker[], count: number, seed: number, start = 0): { mae: number; scored: number } {
  const r = seededRandom(seed);
  let err = 0;
  let scored = 0;
  for (let i = start; i < start + count; i++) {
    const task = synthTask(r, i);
    for (const w of fleet) w.view.stats.inFlight = Math.floor(r() * 6);
    const p = predictor.predict(
      task,
      fleet.map((w) => w.view),
    );
    const w = fleet[Math.floor(r() * fleet.length)]!;
    const duration = synthDuration(w, task, r);
    const ok = r() >= w.failRate;
    const s = p.scores.find((x) => x.workerId === w.view.id);
    if (s?.expectedDurationMs !== undefined && ok) {
      err += Math.abs(Math.log(s.expectedDurationMs / duration));
      scored++;
    }
    const outcome: TaskOutcome = { task, workerId: w.view.id, ok, durationMs: duration, shortCircuited: false };
    const st = w.view.stats;
    st.ewmaLatencyMs = st.ewmaLatencyMs === 0 ? duration : 0.8 * st.ewmaLatencyMs + 0.2 * duration;
    predictor.observe(outcome);
  }
  return { mae: scored === 0 ? NaN : err / scored, scored };
}
