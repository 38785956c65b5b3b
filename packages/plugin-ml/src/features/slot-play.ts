/** Playing tasks out over a worker's slots: the slots' free times, sorted, and the earliest taking the next task. */

/**
 * Sorts the first `n` values in place as Float64Array.prototype.sort does (ascending, NaN last),
 * without the view a sort of part of the array needs: n is a worker's slots, a few.
 */
export function sortAscending(a: Float64Array, n: number): void {
  for (let i = 1; i < n; i++) {
    const x = a[i]!;
    let j = i - 1;
    while (j >= 0 && (a[j]! > x || (Number.isNaN(a[j]) && !Number.isNaN(x)))) {
      a[j + 1] = a[j]!;
      j--;
    }
    a[j + 1] = x;
  }
}

/** The earliest free slot of `free` (sorted) takes a task of `ms`: it frees again after that task's time. */
export function place(free: Float64Array, slots: number, ms: number): void {
  const t = free[0]! + ms;
  let i = 1;
  while (i < slots && free[i]! < t) {
    free[i - 1] = free[i]!;
    i++;
  }
  free[i - 1] = t;
}
