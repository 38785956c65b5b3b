import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileModelStore, MlPredictor, isMlError, type ModelSnapshot } from '@weft/plugin-ml';
import { parseModel } from '@weft/plugin-ml/kernels';
import { fanOut, mlEngine } from './helpers.js';
import { feed, synthFleet } from './synthetic.js';

const dir = mkdtempSync(path.join(tmpdir(), 'weft-ml-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function trainedFile(file: string): Promise<ModelSnapshot> {
  const p = new MlPredictor(
    { minSamples: 50, trainEvery: 1_000_000, trainIntervalMs: 0, iterations: 30, explorationRate: 0 },
    { store: new FileModelStore(file) },
  );
  feed(p, synthFleet(4), 200, 5);
  await p.trainNow();
  await p.close();
  return parseModel(readFileSync(file, 'utf8'), file);
}

describe('file model store (embedded save/load)', () => {
  it('saves each new model and loads it into another predictor with the same version', async () => {
    const file = path.join(dir, 'model.json');
    const saved = await trainedFile(file);
    expect(saved.version).toBe(1);
    const { engine, predictor } = await mlEngine({ modelPath: file });
    try {
      expect(predictor.modelVersion).toBe('v1');
      expect(predictor.model?.network).toEqual(saved.network);
    } finally {
      await engine.close();
    }
  });

  it('refuses a corrupt model file with a typed error, and the engine runs on the fallback', async () => {
    const file = path.join(dir, 'corrupt.json');
    writeFileSync(file, '{"format":"weft-ml-model", "formatVersion": 1, "featureVe');
    await expect(new FileModelStore(file).load()).rejects.toSatisfy((e) => isMlError(e, 'WEFT_ML_MODEL_CORRUPT'));

    const { engine, predictor, spans } = await mlEngine({ modelPath: file });
    try {
      expect(predictor.stats.lastError?.code).toBe('WEFT_ML_MODEL_CORRUPT');
      const { pipeline, input } = fanOut(5);
      expect((await engine.run(pipeline, input)).status).toBe('succeeded');
      expect(spans('weft.decision.predict').every((s) => s.attributes['weft.decision.reason'] === 'cold')).toBe(true);
    } finally {
      await engine.close();
    }
  });

  it('refuses a model made for another feature encoding or with mismatched weights', async () => {
    const file = path.join(dir, 'good.json');
    const good = await trainedFile(file);
    const other = path.join(dir, 'other-encoding.json');
    writeFileSync(other, JSON.stringify({ ...good, featureVersion: 999 }));
    await expect(new FileModelStore(other).load()).rejects.toSatisfy(
      (e) => isMlError(e, 'WEFT_ML_MODEL_INCOMPATIBLE') && /feature encoding 999/.test((e as Error).message),
    );

    const layers = good.network.layers.map((l, i) => (i === 1 ? { ...l, weights: l.weights.slice(1) } : l));
    expect(() => parseModel(JSON.stringify({ ...good, network: { ...good.network, layers } }), 'test')).toThrow(
      expect.objectContaining({ code: 'WEFT_ML_MODEL_CORRUPT' }),
    );

    const { engine, predictor } = await mlEngine({ modelPath: other });
    try {
      expect(predictor.stats.lastError?.code).toBe('WEFT_ML_MODEL_INCOMPATIBLE');
      expect(predictor.modelVersion).toBe('none');
    } finally {
      await engine.close();
    }
  });
});
