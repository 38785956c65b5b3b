/** "Did you mean …?" for a misspelt name: the closest known name by edit distance, when close enough. */

/** ` (did you mean "x"?)`, or an empty string when nothing is close. */
export function suggest(name: string, options: Iterable<string>): string {
  const best = closest(name, options);
  return best === undefined ? '' : ` (did you mean "${best}"?)`;
}

/** The known name nearest to `name`, if within about a third of its length (at least 2 edits). */
export function closest(name: string, options: Iterable<string>): string | undefined {
  // Long names are cut: the distance is quadratic in length, and a typo is near the front anyway.
  const a = name.slice(0, 200);
  let best: string | undefined;
  let bestD = Infinity;
  for (const o of options) {
    if (o === name) return undefined;
    const d = distance(a, o.slice(0, 200));
    if (d < bestD) {
      bestD = d;
      best = o;
    }
  }
  // Never a name that shares nothing with it ("c" is not a typo of "a").
  return best !== undefined && bestD < a.length && bestD <= Math.max(2, Math.floor(a.length / 3)) ? best : undefined;
}

function distance(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0]!;
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j]!;
      dp[j] = Math.min(dp[j]! + 1, dp[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length]!;
}
