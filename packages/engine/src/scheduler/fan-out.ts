/**
 * A forEach step's items, in order, failing at the first failure (the others see the run's abort
 * only under fail-fast). Items start as lanes free up, never all at once: a fan-out of 10,000
 * would otherwise build 10,000 tasks and promises up front, and keep them alive long enough to
 * cost the garbage collector more than running them.
 */
export function allItems(count: number, lanes: number, run: (index: number) => Promise<unknown>): Promise<unknown[]> {
  const outputs = new Array<unknown>(count);
  if (count === 0) return Promise.resolve(outputs);
  let next = 0;
  let done = 0;
  return new Promise((resolve, reject) => {
    const settled = (): void => {
      if (++done === count) resolve(outputs);
      lane();
    };
    const lane = (): void => {
      if (next >= count) return;
      const index = next++;
      run(index).then(
        (out) => {
          outputs[index] = out;
          settled();
        },
        (err: unknown) => {
          // The step fails now; its other items carry on, as when all started at once.
          reject(err);
          settled();
        },
      );
    };
    for (let i = 0, n = Math.min(count, lanes); i < n; i++) lane();
  });
}
