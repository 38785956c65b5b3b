/**
 * How long a running task still needs, given how long it has run: the mean residual life of its
 * service time. Service times scatter around their estimate by a lognormal factor with mean 1 and
 * log-variance σ² (learned from outcomes), so a task past its estimate is likely one of the slow
 * draws and still needs a while, and a task well short of it needs about the rest of it.
 * E[X − r | X > r] for ln X ~ N(μ, σ²) with E[X] = estimate: estimate · Φ(d₁)/Φ(d₂) − r, where
 * d₂ = (μ − ln r)/σ and d₁ = d₂ + σ.
 */

/** Floor of the remaining time, as a share of the estimate. */
const MIN_REMAINING_SHARE = 0.05;

export function residualMs(estimateMs: number, ranMs: number, logVariance: number): number {
  const floor = MIN_REMAINING_SHARE * estimateMs;
  if (!(ranMs > 0)) return estimateMs;
  const sigma = Math.sqrt(Math.max(logVariance, 0));
  if (sigma < 1e-3) return Math.max(estimateMs - ranMs, floor);
  const mu = Math.log(Math.max(estimateMs, 1e-9)) - logVariance / 2;
  const d2 = (mu - Math.log(ranMs)) / sigma;
  const tail2 = normalTail(-d2);
  // Far in the tail Φ(d₂) underflows; the residual life there grows about as r·σ²/(ln r − μ).
  if (tail2 < 1e-12) return Math.max(floor, (ranMs * logVariance) / Math.max(Math.log(ranMs) - mu, sigma));
  return Math.max(floor, (estimateMs * normalTail(-(d2 + sigma))) / tail2 - ranMs);
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
