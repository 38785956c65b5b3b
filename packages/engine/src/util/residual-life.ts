/**
 * How long a running task still needs, given how long it has run: the mean residual life of a
 * lognormal service time with mean `meanMs` and log-standard deviation `sigma`,
 * E[X − r | X > r] = meanMs · Φ(d₁)/Φ(d₂) − r, with d₂ = (μ − ln r)/σ, d₁ = d₂ + σ and
 * μ = ln meanMs − σ²/2. A task past its mean is likely one of the slow draws and still needs a
 * while; a task well short of it needs about the rest of it. The learned router (plugin-ml) and the
 * fleet simulator's blind oracle both read it. `logMeanMs`: ln max(meanMs, 1e-9), for a caller
 * that asks about the same task again and again (it is computed when not given).
 */
export function lognormalResidualMs(meanMs: number, ranMs: number, sigma: number, logMeanMs = Math.log(Math.max(meanMs, 1e-9))): number {
  if (!(ranMs > 0)) return meanMs;
  if (!(sigma >= 1e-3)) return Math.max(0, meanMs - ranMs);
  const mu = logMeanMs - (sigma * sigma) / 2;
  const d2 = (mu - Math.log(ranMs)) / sigma;
  const below = normalTail(-d2);
  // Far in the tail Φ(d₂) underflows; the residual life there grows about as r·σ²/(ln r − μ).
  if (below < 1e-12) return (ranMs * sigma * sigma) / Math.max(Math.log(ranMs) - mu, sigma);
  return Math.max(0, (meanMs * normalTail(-(d2 + sigma))) / below - ranMs);
}

/** P(Z > z) for a standard normal Z, from erfc (Numerical Recipes' erfcc, relative error < 1.2e-7). */
function normalTail(z: number): number {
  return erfc(z / Math.SQRT2) / 2;
}

function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}
