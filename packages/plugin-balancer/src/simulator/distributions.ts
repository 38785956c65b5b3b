/** Samples the simulator draws from a seeded uniform source. */

/** Exponential with the given mean (inter-arrival times of a Poisson process). */
export function exponential(random: () => number, mean: number): number {
  return -Math.log(1 - random()) * mean;
}

/** Standard normal by Box–Muller. */
export function standardNormal(random: () => number): number {
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Lognormal noise with mean 1, so `mean * lognormalFactor()` keeps the mean. */
export function lognormalFactor(random: () => number, sigma: number): number {
  if (sigma <= 0) return 1;
  return Math.exp(sigma * standardNormal(random) - (sigma * sigma) / 2);
}

/** Index drawn with probability proportional to weights. */
export function weightedIndex(random: () => number, weights: readonly number[], total: number): number {
  let r = random() * total;
  for (let i = 0; i < weights.length; i++) {
    r -= weights[i]!;
    if (r < 0) return i;
  }
  return weights.length - 1;
}

/**
 * Mean remaining time of a task with mean `meanMs` and lognormal noise `sigma` (as lognormalFactor
 * draws it) that has run `ranMs`: E[X − r | X > r]. What the best router that does not know a
 * running task's noise draw can expect of it.
 */
export function lognormalResidualMs(meanMs: number, ranMs: number, sigma: number): number {
  if (!(ranMs > 0)) return meanMs;
  if (sigma <= 0) return Math.max(0, meanMs - ranMs);
  const mu = Math.log(meanMs) - (sigma * sigma) / 2;
  const d2 = (mu - Math.log(ranMs)) / sigma;
  const below = upperTail(-d2);
  if (below < 1e-12) return (ranMs * sigma * sigma) / Math.max(Math.log(ranMs) - mu, sigma);
  return Math.max(0, (meanMs * upperTail(-(d2 + sigma))) / below - ranMs);
}

/** P(Z > z), standard normal, by numerical integration of the density (Simpson, 200 steps from z to z + 12). */
function upperTail(z: number): number {
  if (z < 0) return 1 - upperTail(-z);
  const steps = 200;
  const h = 12 / steps;
  let sum = 0;
  for (let i = 0; i <= steps; i++) {
    const x = z + i * h;
    const f = Math.exp((-x * x) / 2);
    sum += (i === 0 || i === steps ? 1 : i % 2 === 1 ? 4 : 2) * f;
  }
  return (sum * h) / 3 / Math.sqrt(2 * Math.PI);
}
