/**
 * The checks past the schema: unique ids, known dependencies, no cycle, task types and strategy
 * names that exist, and references that name steps the step depends on. They read the document
 * loosely (a field of the wrong type is skipped: the schema reports it), so they run even when
 * the schema failed, and every problem of a file is listed at once.
 */
import { suggest } from '../util/suggest.js';
import { analyseDag, ancestorQuestions } from './dag.js';
import { REF_PATH } from './pipeline-schema.js';
import { collectRefs } from './refs.js';

export interface LooseStep {
  readonly id: string | undefined;
  readonly task: string | undefined;
  readonly dependsOn: readonly (string | undefined)[];
  readonly strategy: string | undefined;
  readonly input: unknown;
  readonly forEach: unknown;
  readonly key: unknown;
  readonly when: unknown;
}

export interface LoosePipeline {
  readonly strategy: string | undefined;
  readonly output: unknown;
  readonly steps: readonly LooseStep[];
}

export interface GraphOptions {
  readonly taskTypes?: readonly string[];
  readonly strategies?: readonly string[];
}

/** Where problems go; a function is only called when the line will be listed. */
export interface IssueSink {
  add(line: string | (() => string)): void;
}

/** Steps visited answering "does s depend on t" questions before giving up (about a second). */
const REACHABILITY_BUDGET = 50_000_000;

export function checkGraph(p: LoosePipeline, options: GraphOptions, issues: IssueSink): void {
  const index = new Map<string, number>();
  p.steps.forEach((s, i) => {
    if (s.id === undefined) return;
    const first = index.get(s.id);
    if (first !== undefined) issues.add(`steps[${i}].id: duplicate step id "${s.id}" (also steps[${first}]); give each step its own id`);
    else index.set(s.id, i);
  });
  const ids = (): string[] => [...index.keys()];
  const taskTypes = options.taskTypes ? new Set(options.taskTypes) : undefined;
  const strategies = options.strategies ? new Set(options.strategies) : undefined;
  const deps: number[][] = p.steps.map((s, i) => {
    const out = new Set<number>();
    s.dependsOn.forEach((d, j) => {
      if (d === undefined) return;
      if (d === s.id) issues.add(`steps[${i}].dependsOn[${j}]: step "${s.id}" depends on itself`);
      else if (!index.has(d)) issues.add(() => `steps[${i}].dependsOn: unknown step "${d}"${suggest(d, ids())}`);
      else out.add(index.get(d)!);
    });
    if (taskTypes && s.task !== undefined && !taskTypes.has(s.task)) {
      const task = s.task;
      issues.add(() => `steps[${i}].task: no handler for task type "${task}"${suggest(task, taskTypes)}; load the plugin that provides it`);
    }
    if (strategies && s.strategy !== undefined && !strategies.has(s.strategy)) {
      const name = s.strategy;
      issues.add(() => `steps[${i}].strategy: unknown strategy "${name}"${suggest(name, strategies)}`);
    }
    return [...out];
  });
  if (strategies && p.strategy !== undefined && !strategies.has(p.strategy))
    issues.add(`strategy: unknown strategy "${p.strategy}"${suggest(p.strategy, strategies)}`);

  const dag = analyseDag({ ids: p.steps.map((s, i) => s.id ?? `#${i}`), deps });
  if (dag.cycle) {
    const names = dag.cycle.map((i) => p.steps[i]!.id ?? `steps[${i}]`);
    // A 20,000-step cycle is named by its ends, not spelt out.
    const shown = names.length > 12 ? [...names.slice(0, 8), `… (${names.length - 11} more) …`, ...names.slice(-3)] : names;
    issues.add(`steps: dependsOn forms a cycle ${shown.join(' → ')}; remove one of these edges`);
    return;
  }
  checkRefs(p, index, { deps, rank: dag.rank! }, issues);
}

function checkRefs(p: LoosePipeline, index: Map<string, number>, dag: { deps: number[][]; rank: Int32Array }, issues: IssueSink): void {
  const ids = (): string[] => [...index.keys()];
  // Lines in document order; a line that depends on an ancestry question waits for its answer.
  const pending: ({ line: string | (() => string) } | { question: number; line: string })[] = [];
  const questions: { step: number; target: number }[] = [];
  p.steps.forEach((s, i) => {
    const name = s.id ?? `steps[${i}]`;
    const refs = [
      ...collectRefs(s.input, `steps[${i}].input`),
      ...collectRefs(s.forEach, `steps[${i}].forEach`),
      ...collectRefs(s.key, `steps[${i}].key`),
      ...conditionRefs(s.when).map((ref) => ({ ref, at: `steps[${i}].when` })),
    ];
    for (const { ref, at } of refs) {
      if (typeof ref !== 'string' || !REF_PATH.test(ref)) continue;
      if (perItem(ref) && (s.forEach === undefined || at.startsWith(`steps[${i}].forEach`))) {
        pending.push({ line: `${at}: $ref "${ref}" is only defined inside a step with forEach` });
        continue;
      }
      const target = refStep(ref);
      if (target === undefined) continue;
      const t = index.get(target);
      if (t === undefined) pending.push({ line: () => `${at}: $ref "${ref}" names unknown step "${target}"${suggest(target, ids())}` });
      else {
        pending.push({
          question: questions.length,
          line: `${at}: $ref "${ref}" reads step "${target}", which "${name}" does not depend on; add "${target}" to its dependsOn`,
        });
        questions.push({ step: i, target: t });
      }
    }
  });
  const answers = ancestorQuestions(dag, questions, REACHABILITY_BUDGET);
  let unknown = 0;
  for (const item of pending) {
    if (!('question' in item)) issues.add(item.line);
    else if (answers[item.question] === false) issues.add(item.line);
    else if (answers[item.question] === undefined) unknown++;
  }
  if (unknown > 0)
    issues.add(
      `steps: ${unknown} $ref(s) to steps far up the graph could not be checked within the validation budget; reference fewer distant steps, or split the pipeline`,
    );
  for (const { ref, at } of collectRefs(p.output, 'output')) {
    if (typeof ref !== 'string' || !REF_PATH.test(ref)) continue;
    if (perItem(ref)) issues.add(`${at}: $ref "${ref}" is only defined inside a step with forEach`);
    const target = refStep(ref);
    if (target !== undefined && !index.has(target)) issues.add(() => `${at}: $ref "${ref}" names unknown step "${target}"${suggest(target, ids())}`);
  }
}

/** Whether a (well-formed) ref reads the current forEach item or its index. */
const perItem = (ref: string): boolean => ref.startsWith('item') || ref === 'index';

/** The step a (well-formed) ref reads: `steps.<id>.output…` → id. */
function refStep(ref: string): string | undefined {
  if (!ref.startsWith('steps.')) return undefined;
  return ref.slice(6, ref.indexOf('.output', 6));
}

/** Every `ref` a condition reads, found without trusting its shape (the schema judges that). */
function conditionRefs(when: unknown): string[] {
  const out: string[] = [];
  const todo: unknown[] = [when];
  while (todo.length > 0) {
    const c = todo.pop();
    if (typeof c !== 'object' || c === null) continue;
    // Children pushed in reverse, so refs come out in document order.
    if (Array.isArray(c)) for (let k = c.length - 1; k >= 0; k--) todo.push(c[k]);
    else {
      const o = c as Record<string, unknown>;
      if (typeof o['ref'] === 'string') out.push(o['ref']);
      for (const k of ['not', 'any', 'all']) if (k in o) todo.push(o[k]);
    }
  }
  return out;
}
