import { describe, expect, it } from 'vitest';
import { MemoryModelStore, MlPredictor } from '@weft/plugin-ml';
import { fanOut, mlEngine } from './helpers.js';
import { feed, synthFleet, synthTask } from './synthetic.js';
import type { TaskDescriptor } from '@weft/engine';
import { seededRandom } from '@weft/engine/util';

/** A `work` task as the engine describes the items of fanOut(). */
function workTask(i: number): TaskDescriptor {
  const id = `warm:each[${i}]`;
  return {
    id,
    runId: 'warm',
    stepId: 'each',
    type: 'work',
    input: { n: i },
    capabilities: [],
    tags: [],
    sizeBytes: JSON.stringify({ n: i }).length,
    attempt: 1,
    handlerVersion: '1',
    idempotencyKey: id,
  };
}

describe('confidence gate', () => {
  it('falls back to the balancing strategy with a cold model and says so on the predict span', async () => {
    const { engine, spans } = await mlEngine();
    try {
      const { pipeline, input } = fanOut(10);
      const res = await engine.run(pipeline, input);
      expect(res.status).toBe('succeeded');
      const predicts = spans('weft.decision.predict');
      expect(predicts).toHaveLength(10);
      for (const s of predicts) {
        expect(s.attributes['weft.decision.fallback']).toBe(true);
        expect(s.attributes['weft.decision.reason']).toBe('cold');
        expect(s.attributes['weft.decision.model_version']).toBe('none');
        expect(s.attributes['weft.decision.confidence']).toBe(0);
      }
      expect(new Set(spans('weft.decision.route').map((s) => s.attributes['weft.decision.strategy']))).toEqual(new Set(['default']));
    } finally {
      await engine.close();
    }
  });

  it('decides once warm and confident, recording version, confidence and per-candidate scores', async () => {
    const { engine, predictor, spans } = await mlEngine({ minSamples: 30, trainEvery: 1_000_000, trainIntervalMs: 0, iterations: 100, explorationRate: 0 });
    try {
      // Warm-up outcomes with set durations, not measured ones: the model (and so its confidence)
      // must not depend on how busy the machine running the test is.
      const r = seededRandom(11);
      const views = engine.workers();
      for (let i = 0; i < 120; i++) {
        const task = workTask(i);
        predictor.predict(task, views);
        const w = views[i % 2]!;
        predictor.observe({ task, workerId: w.id, ok: true, durationMs: (w.id === 'fast' ? 2 : 40) * (0.9 + 0.2 * r()), shortCircuited: false });
      }
      await predictor.trainNow();
      expect(predictor.model?.samples).toBeGreaterThanOrEqual(30);
      const before = spans('weft.decision.predict').length;
      const { pipeline, input } = fanOut(40);
      await engine.run(pipeline, input);
      const predicts = spans('weft.decision.predict').slice(before);
      const decided = predicts.filter((s) => s.attributes['weft.decision.fallback'] === false);
      expect(decided.length).toBeGreaterThan(30);
      for (const s of decided) {
        expect(s.attributes['weft.decision.model_version']).toBe('v1');
        expect(s.attributes['weft.decision.confidence']).toBeGreaterThanOrEqual(0.5);
        expect(s.attributes['weft.decision.explored']).toBe(false);
        expect(s.attributes['weft.decision.scores']).toHaveLength(2);
      }
      const routes = spans('weft.decision.route').slice(before);
      const byPredictor = routes.filter((s) => s.attributes['weft.decision.strategy'] === 'predictor');
      expect(byPredictor.length).toBe(decided.length);
      // The fast worker serves most of what the predictor decides.
      expect(byPredictor.filter((s) => s.attributes['weft.decision.choice'] === 'fast').length).toBeGreaterThan(byPredictor.length * 0.6);
    } finally {
      await engine.close();
    }
  });
});

describe('exploration', () => {
  async function warmStore(): Promise<MemoryModelStore> {
    const store = new MemoryModelStore();
    const teacher = new MlPredictor({ minSamples: 100, trainEvery: 1_000_000, trainIntervalMs: 0, iterations: 50, explorationRate: 0 }, { store });
    feed(teacher, synthFleet(5), 400, 21);
    await teacher.trainNow();
    await teacher.close();
    return store;
  }

  function explorations(p: MlPredictor, n: number): boolean[] {
    const fleet = synthFleet(5);
    const r = seededRandom(99);
    return Array.from(
      { length: n },
      (_, i) =>
        p.predict(
          synthTask(r, i),
          fleet.map((w) => w.view),
        ).explored === true,
    );
  }

  it('explores the configured share of decisions, replayably with a seed', async () => {
    const store = await warmStore();
    // Probes of unseen workers are explorations too; they have a test of their own below.
    const a = new MlPredictor({ explorationRate: 0.1, seed: 42, trainIntervalMs: 0, probeWhenUnsure: false }, { store });
    const b = new MlPredictor({ explorationRate: 0.1, seed: 42, trainIntervalMs: 0, probeWhenUnsure: false }, { store });
    const none = new MlPredictor({ explorationRate: 0, seed: 42, trainIntervalMs: 0, probeWhenUnsure: false }, { store });
    try {
      for (const p of [a, b, none]) await p.start();
      const ea = explorations(a, 2000);
      const share = ea.filter(Boolean).length / ea.length;
      expect(share).toBeGreaterThan(0.08);
      expect(share).toBeLessThan(0.12);
      expect(explorations(b, 2000)).toEqual(ea);
      expect(explorations(none, 2000).some(Boolean)).toBe(false);
    } finally {
      for (const p of [a, b, none]) await p.close();
    }
  });

  it('while unsure, probes each free worker never seen serving the type once at a time, confirms a barely seen pick, and (deferWhenUnsure) leaves the rest to the strategy', async () => {
    const store = await warmStore();
    const p = new MlPredictor({ explorationRate: 0, seed: 7, trainIntervalMs: 0, deferWhenUnsure: true }, { store });
    const strict = new MlPredictor({ explorationRate: 0, seed: 7, trainIntervalMs: 0, probeWhenUnsure: false, deferWhenUnsure: true }, { store });
    const picker = new MlPredictor({ explorationRate: 0, seed: 7, trainIntervalMs: 0, probeWhenUnsure: false }, { store });
    try {
      await p.start();
      await strict.start();
      await picker.start();
      const fleet = synthFleet(5);
      const views = fleet.map((w) => w.view);
      const r = seededRandom(3);
      const task = (i: number): TaskDescriptor => ({ ...synthTask(r, i), type: 'build' });
      // A worker with every slot taken is not probed: its sample would be its queue, not its speed.
      const last = views.length - 1;
      const busy = fleet[last]!.view.stats;
      busy.inFlight = 4;
      // Nothing has finished yet: one probe per free worker, then every probe is in flight.
      const first = Array.from({ length: views.length + 2 }, (_, i) => p.predict(task(i), views));
      const probed = first.slice(0, views.length - 1);
      for (const d of probed) expect(d.explored).toBe(true);
      expect(new Set(probed.map((d) => d.choice))).toEqual(new Set(views.slice(0, last).map((v) => v.id)));
      for (const d of first.slice(views.length - 1)) expect(d.fallbackReason).toBe('low-confidence');
      busy.inFlight = 0;
      const freed = p.predict(task(50), views);
      expect(freed.explored).toBe(true);
      expect(freed.choice).toBe(views[last]!.id);
      expect(p.stats.probes).toBe(views.length);
      // An answered probe makes the pair seen. A worker that looks best on fewer than
      // minPairObservations (3) outcomes is confirmed by the next unsure decision while it has a
      // free slot; busy, and with every other probe still in flight, the strategy decides.
      const t = task(100);
      p.predict(t, views.slice(0, 1));
      p.observe({ task: t, workerId: views[0]!.id, ok: true, durationMs: 20, shortCircuited: false });
      // A slow outcome on the (unprobed) last worker makes views[0] the best-looking candidate.
      const slow = task(104);
      p.predict(slow, views.slice(last));
      p.observe({ task: slow, workerId: views[last]!.id, ok: true, durationMs: 400, shortCircuited: false });
      const confirm = p.predict(task(101), views);
      expect(confirm.explored).toBe(true);
      expect(confirm.choice).toBe(views[0]!.id);
      fleet[0]!.view.stats.inFlight = 4;
      expect(p.predict(task(103), views).fallbackReason).toBe('low-confidence');
      fleet[0]!.view.stats.inFlight = 0;
      expect(p.stats.probes).toBe(views.length + 1);
      // A probe the dispatcher did not follow (a guard refused the worker) is no longer in flight:
      // that worker is probed again by the next unsure decision.
      const i = probed.findIndex((d) => d.choice !== views[0]!.id);
      const refusedWorker = probed[i]!.choice!;
      p.routed(task(i), views.find((v) => v.id !== refusedWorker)!.id);
      const again = p.predict(task(102), views);
      expect(again.explored).toBe(true);
      expect(again.choice).toBe(refusedWorker);
      expect(p.stats.probes).toBe(views.length + 2);
      // probeWhenUnsure: false leaves every unsure decision to the strategy.
      expect(strict.predict(task(0), views).fallbackReason).toBe('low-confidence');
      expect(strict.stats.probes).toBe(0);
      // By default an unsure decision with nothing to probe is the expected-completion pick.
      const picked = picker.predict(task(0), views);
      expect(picked.fallbackReason).toBeUndefined();
      expect(picked.explored).toBe(false);
      expect(views.map((v) => v.id)).toContain(picked.choice);
    } finally {
      await p.close();
      await strict.close();
      await picker.close();
    }
  });

  it('treats a model older than staleAfterMs as stale and falls back', async () => {
    const store = await warmStore();
    const p = new MlPredictor({ staleAfterMs: 1, explorationRate: 0, trainIntervalMs: 0 }, { store });
    try {
      await p.start();
      await new Promise((r) => setTimeout(r, 5));
      const fleet = synthFleet(5);
      const prediction = p.predict(
        synthTask(seededRandom(1), 0),
        fleet.map((w) => w.view),
      );
      expect(prediction.choice).toBeUndefined();
      expect(prediction.fallbackReason).toBe('stale');
      expect(prediction.modelVersion).toBe('v1');
    } finally {
      await p.close();
    }
  });
});
