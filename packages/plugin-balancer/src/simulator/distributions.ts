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
