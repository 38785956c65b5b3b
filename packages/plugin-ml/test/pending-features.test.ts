import { describe, expect, it } from 'vitest';
import { FEATURE_COUNT } from '@weft/plugin-ml/kernels';
import { PendingFeatures } from '../src/predictor/pending-features.js';

/** A decision over `ids` leased from `pending`, its ids written into the slot's reused array as predict() does. */
function decide(pending: PendingFeatures, key: string, ids: string[]): void {
  const lease = pending.lease(ids.length);
  ids.forEach((id, i) => (lease.workerIds[i] = id));
  lease.arrays.baselines.set(ids.map((_, i) => 10 * (i + 1)));
  const n = ids.length;
  pending.set(key, {
    workerIds: lease.workerIds,
    count: n,
    rows: lease.arrays.rows.subarray(0, n * FEATURE_COUNT),
    baselines: lease.arrays.baselines.subarray(0, n),
    waits: lease.arrays.waits.subarray(0, n),
    lease,
  });
}

describe('pending features', () => {
  it('finds a worker only among the candidates of its own decision when the id array of the slot still holds a larger batch', () => {
    // One slot: every decision reuses the same arrays and id array.
    const pending = new PendingFeatures(16, 1);
    decide(pending, 'a#1', ['w0', 'w1', 'w2', 'w3']);
    pending.keepOnly('a#1', 'w2');
    decide(pending, 'b#1', ['w5', 'w6']);
    // 'w3' is still at index 3 of the reused id array, but was no candidate of b.
    expect(pending.take('b#1', 'w3')).toBeUndefined();
    decide(pending, 'c#1', ['w5', 'w6']);
    expect(pending.take('c#1', 'w6')?.baseline).toBe(20);
    // a's chosen row was copied out of the slot when it was routed.
    expect(pending.take('a#1', 'w2')?.baseline).toBe(30);
  });
});
