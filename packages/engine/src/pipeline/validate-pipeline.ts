/**
 * Validates a pipeline before anything runs: schema, ids, dependsOn, cycles, references, task
 * types. Every problem is reported at once as `path: problem`, and the whole is one WeftError.
 */
import { WeftError } from '../errors.js';
import { validateWith } from '../util/schema.js';
import { conditionRefs } from './condition.js';
import { pipelineSchema } from './pipeline-schema.js';
import type { PipelineDefinition, StepDefinition } from './pipeline-types.js';
import { collectRefs, parseRefPath, refStep } from './refs.js';

export interface ValidateOptions {
  /** Registered task types; when given, unknown task types are errors. */
  readonly taskTypes?: readonly string[];
  /** Registered strategy names; when given, unknown names are errors. */
  readonly strategies?: readonly string[];
  /** Where the pipeline came from, for messages. */
  readonly source?: string;
}

export async function validatePipeline(raw: unknown, options: ValidateOptions = {}): Promise<PipelineDefinition> {
  const parsed = await validateWith(pipelineSchema, raw);
  if (!parsed.ok) throw invalid(raw, parsed.issues, options.source);
  const pipeline = parsed.value as PipelineDefinition;
  const issues = checkGraph(pipeline, options);
  if (issues.length > 0) throw invalid(pipeline, issues, options.source);
  return pipeline;
}

function invalid(raw: unknown, issues: string[], source?: string): WeftError<'WEFT_PIPELINE_INVALID'> {
  const name = typeof raw === 'object' && raw !== null && typeof (raw as { name?: unknown }).name === 'string' ? `"${(raw as { name: string }).name}"` : source ? `in ${source}` : '';
  return new WeftError('WEFT_PIPELINE_INVALID', `Pipeline ${name} is invalid (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${issues.map((i) => `  - ${i}`).join('\n')}`, {
    retryable: false,
    details: { issues, ...(source ? { source } : {}) },
  });
}

function checkGraph(p: PipelineDefinition, options: ValidateOptions): string[] {
  const issues: string[] = [];
  const index = new Map<string, number>();
  p.steps.forEach((s, i) => {
    const first = index.get(s.id);
    if (first !== undefined) issues.push(`steps[${i}].id: duplicate step id "${s.id}" (also steps[${first}]); give each step its own id`);
    else index.set(s.id, i);
  });
  const ids = [...index.keys()];

  p.steps.forEach((s, i) => {
    (s.dependsOn ?? []).forEach((d, j) => {
      if (d === s.id) issues.push(`steps[${i}].dependsOn[${j}]: step "${s.id}" depends on itself`);
      else if (!index.has(d)) issues.push(`steps[${i}].dependsOn: unknown step "${d}"${suggest(d, ids)}`);
    });
    if (options.taskTypes && !options.taskTypes.includes(s.task)) {
      issues.push(`steps[${i}].task: no handler for task type "${s.task}"${suggest(s.task, options.taskTypes)}; load the plugin that provides it`);
    }
    for (const [field, name] of [
      [s.strategy, 'strategy'],
    ] as const) {
      if (field && options.strategies && !options.strategies.includes(field)) issues.push(`steps[${i}].${name}: unknown strategy "${field}"${suggest(field, options.strategies)}`);
    }
  });
  if (p.strategy && options.strategies && !options.strategies.includes(p.strategy)) issues.push(`strategy: unknown strategy "${p.strategy}"${suggest(p.strategy, options.strategies)}`);

  const cycle = findCycle(p.steps, index);
  if (cycle) issues.push(`steps: dependsOn forms a cycle ${cycle.join(' → ')}; remove one of these edges`);
  else issues.push(...checkRefs(p, index));
  return issues;
}

function checkRefs(p: PipelineDefinition, index: Map<string, number>): string[] {
  const issues: string[] = [];
  const ancestors = ancestorSets(p.steps, index);
  const ids = [...index.keys()];
  p.steps.forEach((s, i) => {
    const refs = [
      ...collectRefs(s.input, `steps[${i}].input`),
      ...collectRefs(s.forEach, `steps[${i}].forEach`),
      ...collectRefs(s.key, `steps[${i}].key`),
      ...(s.when ? conditionRefs(s.when).map((ref) => ({ ref, at: `steps[${i}].when` })) : []),
    ];
    for (const { ref, at } of refs) {
      const head = parseRefPath(ref)[0];
      if ((head === 'item' || head === 'index') && (s.forEach === undefined || at.startsWith(`steps[${i}].forEach`))) {
        issues.push(`${at}: $ref "${ref}" is only defined inside a step with forEach`);
        continue;
      }
      const target = refStep(ref);
      if (target === undefined) continue;
      if (!index.has(target)) issues.push(`${at}: $ref "${ref}" names unknown step "${target}"${suggest(target, ids)}`);
      else if (!ancestors.get(s.id)?.has(target)) issues.push(`${at}: $ref "${ref}" reads step "${target}", which "${s.id}" does not depend on; add "${target}" to its dependsOn`);
    }
  });
  for (const { ref, at } of collectRefs(p.output, 'output')) {
    const head = parseRefPath(ref)[0];
    if (head === 'item' || head === 'index') issues.push(`${at}: $ref "${ref}" is only defined inside a step with forEach`);
    const target = refStep(ref);
    if (target !== undefined && !index.has(target)) issues.push(`${at}: $ref "${ref}" names unknown step "${target}"${suggest(target, ids)}`);
  }
  return issues;
}

function findCycle(steps: readonly StepDefinition[], index: Map<string, number>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (id: string): string[] | undefined => {
    const st = state.get(id);
    if (st === 'done') return undefined;
    if (st === 'visiting') return [...stack.slice(stack.indexOf(id)), id];
    state.set(id, 'visiting');
    stack.push(id);
    const step = steps[index.get(id)!]!;
    for (const d of step.dependsOn ?? []) {
      if (!index.has(d) || d === id) continue;
      const c = visit(d);
      if (c) return c;
    }
    stack.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const s of steps) {
    const c = visit(s.id);
    if (c) return c.reverse();
  }
  return undefined;
}

function ancestorSets(steps: readonly StepDefinition[], index: Map<string, number>): Map<string, Set<string>> {
  const memo = new Map<string, Set<string>>();
  const of = (id: string): Set<string> => {
    const m = memo.get(id);
    if (m) return m;
    const set = new Set<string>();
    memo.set(id, set);
    for (const d of steps[index.get(id)!]?.dependsOn ?? []) {
      if (!index.has(d)) continue;
      set.add(d);
      for (const a of of(d)) set.add(a);
    }
    return set;
  };
  for (const s of steps) of(s.id);
  return memo;
}

function suggest(name: string, options: readonly string[]): string {
  let best: string | undefined;
  let bestD = Infinity;
  for (const o of options) {
    const d = distance(name, o);
    if (d < bestD) {
      bestD = d;
      best = o;
    }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(name.length / 3)) ? ` (did you mean "${best}"?)` : '';
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
