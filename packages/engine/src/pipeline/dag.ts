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
 * Answers "is `target` an ancestor of `step`" for a batch of questions, in near-linear time, with
 * GRAIL-style labels from one depth-first walk down the dependents: `target` is an ancestor when
 * `step` lies in its subtree of the walk (every question on a chain is answered so), and cannot
 * be one when `step`'s label interval is not inside `target`'s. Only questions neither test
 * settles walk the graph, pruned by the same intervals. `budget` caps the steps those walks
 * visit; past it, the remaining questions are answered `undefined` (unknown).
 */
export function ancestorQuestions(
  dag: { readonly deps: readonly (readonly number[])[]; readonly rank: Int32Array },
  questions: readonly { readonly step: number; readonly target: number }[],
  budget: number,
): (boolean | undefined)[] {
  const answers = new Array<boolean | undefined>(questions.length);
  if (questions.length === 0) return answers;
  const n = dag.deps.length;
  const dependents = invert(dag.deps);
  // pre/post order of a walk from every step without dependencies; low = least post order reachable.
  const pre = new Int32Array(n).fill(-1);
  const post = new Int32Array(n);
  let clock = 0;
  let order = 0;
  const stack: number[] = [];
  const next: number[] = [];
  for (let root = 0; root < n; root++) {
    if (dag.deps[root]!.length > 0 || pre[root] !== -1) continue;
    pre[root] = clock++;
    stack.push(root);
    next.push(0);
    while (stack.length > 0) {
      const top = stack.length - 1;
      const v = stack[top]!;
      const children = dependents[v]!;
      if (next[top]! < children.length) {
        const c = children[next[top]!++]!;
        if (pre[c] === -1) {
          pre[c] = clock++;
          stack.push(c);
          next.push(0);
        }
        continue;
      }
      post[v] = order++;
      stack.pop();
      next.pop();
    }
  }
  const low = new Int32Array(post);
  const byRank = new Int32Array(n);
  for (let v = 0; v < n; v++) byRank[dag.rank[v]!] = v;
  for (let k = n - 1; k >= 0; k--) {
    const v = byRank[k]!;
    for (const c of dependents[v]!) if (low[c]! < low[v]!) low[v] = low[c]!;
  }
  const treeAncestor = (t: number, s: number): boolean => pre[t]! <= pre[s]! && post[s]! <= post[t]!;
  const mayReach = (t: number, s: number): boolean => low[t]! <= low[s]! && post[s]! <= post[t]!;
  const mark = new Int32Array(n);
  let epoch = 0;
  let spent = 0;
  questions.forEach(({ step, target }, i) => {
    if (treeAncestor(target, step)) answers[i] = true;
    else if (!mayReach(target, step)) answers[i] = false;
    else if (spent > budget) answers[i] = undefined;
    else {
      epoch++;
      const todo = [target];
      mark[target] = epoch;
      let found = false;
      while (todo.length > 0 && !found && spent <= budget) {
        const v = todo.pop()!;
        spent++;
        for (const c of dependents[v]!) {
          if (c === step) found = true;
          else if (mark[c] !== epoch && mayReach(c, step)) {
            mark[c] = epoch;
            todo.push(c);
          }
        }
      }
      answers[i] = found ? true : spent > budget ? undefined : false;
    }
  });
  return answers;
}

function invert(deps: readonly (readonly number[])[]): number[][] {
  const out: number[][] = Array.from({ length: deps.length }, () => []);
  deps.forEach((ds, s) => ds.forEach((d) => out[d]!.push(s)));
  return out;
}
