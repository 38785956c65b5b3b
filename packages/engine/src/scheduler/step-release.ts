/**
 * Starts each step of a run as soon as its dependencies are done; resolves when nothing more can
 * run. Each finished step releases only its own dependents (a count per step), so a run costs
 * time linear in its steps: rescanning every step after each finish made a 10,000-step chain take
 * half a minute.
 */
import type { StepDefinition } from '../pipeline/pipeline-types.js';

/**
 * What became of a step offered to start: running (settles when it ends), ended at once (its
 * dependents may be ready), or held (neither: it is running elsewhere).
 */
export type StepStart = Promise<void> | 'ended' | 'held';

export function releaseSteps(steps: readonly StepDefinition[], begin: (step: StepDefinition) => StepStart): Promise<void> {
  const indexOf = new Map(steps.map((s, i) => [s.id, i]));
  const waitingOn = steps.map((s) => (s.dependsOn ?? []).length);
  const dependents: number[][] = steps.map(() => []);
  steps.forEach((s, i) => {
    for (const d of s.dependsOn ?? []) dependents[indexOf.get(d)!]!.push(i);
  });
  let running = 0;
  return new Promise<void>((resolve) => {
    const release = (i: number, into: number[]): void => {
      for (const t of dependents[i]!) if (--waitingOn[t]! === 0) into.push(t);
    };
    // A batch is a queue, not recursion: a step that ends at once releases its dependents into the
    // same batch. Steps ready together start in document order.
    const start = (batch: number[]): void => {
      batch.sort((x, y) => x - y);
      for (let k = 0; k < batch.length; k++) {
        const i = batch[k]!;
        const started = begin(steps[i]!);
        if (started === 'held') continue;
        if (started === 'ended') {
          release(i, batch);
          continue;
        }
        running++;
        void started.finally(() => {
          running--;
          const next: number[] = [];
          release(i, next);
          start(next);
        });
      }
      if (running === 0) resolve();
    };
    start(steps.flatMap((_, i) => (waitingOn[i] === 0 ? [i] : [])));
  });
}
