/**
 * The dependency graph of a pipeline's steps, checked in linear time and memory: a topological
 * order (Kahn's algorithm, no recursion), a cycle to show when there is none, and "may step s read
 * step t's output" (t is an ancestor of s) without materialising every step's ancestor set, which
 * is quadratic on a long chain.
 */

export interface DagInput {
  /** Step ids by index; a duplicate id keeps its first index. */
  readonly ids: readonly string[];
  /** Dependencies of each step by index (already restricted to known, distinct, non-self steps). */
  readonly deps: readonly (readonly number[])[];
}

export interface Dag {
  /** Position of each step in a topological order, or undefined when the graph has a cycle. */
  readonly rank?: Int32Array;
  /** A cycle as step indexes, first repeated last (`a → b → a`), when there is one. */
  readonly cycle?: number[];
}

export function analyseDag({ ids, deps }: DagInput): Dag {
  const n = ids.length;
  const pending = new Int32Array(n);
  const dependents: number[][] = Array.from({ length: n }, () => []);
  for (let s = 0; s < n; s++) {
    pending[s] = deps[s]!.length;
    for (const d of deps[s]!) dependents[d]!.push(s);
  }
  const order: number[] = [];
  for (let s = 0; s < n; s++) if (pending[s] === 0) order.push(s);
  for (let k = 0; k < order.length; k++) {
    for (const t of dependents[order[k]!]!) if (--pending[t]! === 0) order.push(t);
  }
  if (order.length === n) {
    const rank = new Int32Array(n);
    order.forEach((s, i) => (rank[s] = i));
    return { rank };
  }
  // Every step left over waits on another left-over step: walking those edges must revisit one.
  let at = pending.findIndex((p) => p > 0);
  const seenAt = new Map<number, number>();
  const walk: number[] = [];
  while (!seenAt.has(at)) {
    seenAt.set(at, walk.length);
    walk.push(at);
    at = deps[at]!.find((d) => pending[d]! > 0)!;
  }
  const found = walk.slice(seenAt.get(at));
  // dependsOn edges point at what runs first: show them in run order, from the earliest step.
  found.reverse();
  const start = found.indexOf(Math.min(...found));
  const cycle = [...found.slice(start), ...found.slice(0, start)];
  cycle.push(cycle[0]!);
  return { cycle };
}

/**
 * Answers "is `target` an ancestor of `step`" for a batch of questions, in about linear time for
 * the shapes pipelines have: a question whose target is a direct dependency is answered at once;
 * the rest walk dependencies backwards from the step, never below the target's rank; a target
 * asked about often is answered by one forward walk over its descendants instead. `budget` caps
 * the total steps visited; past it, the remaining questions are answered `undefined` (unknown).
 */
export function ancestorQuestions(
  dag: { readonly deps: readonly (readonly number[])[]; readonly rank: Int32Array },
  questions: readonly { readonly step: number; readonly target: number }[],
  budget: number,
): (boolean | undefined)[] {
  const answers = new Array<boolean | undefined>(questions.length);
  const byTarget = new Map<number, number[]>();
  questions.forEach((q, i) => {
    if (dag.deps[q.step]!.includes(q.target)) answers[i] = true;
    else if (dag.rank[q.target]! >= dag.rank[q.step]!) answers[i] = false;
    else {
      const list = byTarget.get(q.target);
      if (list) list.push(i);
      else byTarget.set(q.target, [i]);
    }
  });
  if (byTarget.size === 0) return answers;
  const n = dag.deps.length;
  let dependents: number[][] | undefined;
  const mark = new Int32Array(n);
  let epoch = 0;
  let spent = 0;
  for (const [target, asked] of byTarget) {
    const floor = dag.rank[target]!;
    if (asked.length >= 4) {
      dependents ??= invert(dag.deps);
      const ceiling = Math.max(...asked.map((i) => dag.rank[questions[i]!.step]!));
      epoch++;
      const todo = [target];
      mark[target] = epoch;
      while (todo.length > 0 && spent <= budget) {
        const s = todo.pop()!;
        spent++;
        for (const t of dependents[s]!) {
          if (mark[t] === epoch || dag.rank[t]! > ceiling) continue;
          mark[t] = epoch;
          todo.push(t);
        }
      }
      for (const i of asked) answers[i] = spent > budget ? undefined : mark[questions[i]!.step] === epoch;
      continue;
    }
    for (const i of asked) {
      epoch++;
      const todo = [questions[i]!.step];
      let found = false;
      while (todo.length > 0 && !found && spent <= budget) {
        const s = todo.pop()!;
        spent++;
        for (const d of dag.deps[s]!) {
          if (d === target) found = true;
          else if (mark[d] !== epoch && dag.rank[d]! > floor) {
            mark[d] = epoch;
            todo.push(d);
          }
        }
      }
      answers[i] = found ? true : spent > budget ? undefined : false;
    }
  }
  return answers;
}

function invert(deps: readonly (readonly number[])[]): number[][] {
  const out: number[][] = Array.from({ length: deps.length }, () => []);
  deps.forEach((ds, s) => ds.forEach((d) => out[d]!.push(s)));
  return out;
}
