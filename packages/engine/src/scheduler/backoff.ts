/** Delay before a retry: exponential or fixed, capped, with "equal jitter" from a seeded source. */
import type { BackoffPolicy } from '../pipeline/pipeline-types.js';

export function backoffDelay(policy: BackoffPolicy | undefined, retryNumber: number, random: () => number): number {
  const base = policy?.delayMs ?? 100;
  const max = policy?.maxDelayMs ?? 30_000;
  const jitter = policy?.jitter ?? 0.2;
  const raw = (policy?.type ?? 'exponential') === 'fixed' ? base : base * 2 ** (retryNumber - 1);
  const capped = Math.min(max, raw);
  return Math.round(capped * (1 - jitter) + capped * jitter * random());
}
