/** The schema's issues as `path: problem` lines, with "did you mean" for a misspelt key. */
import type { z } from 'zod';
import { closest } from '../util/suggest.js';
import { formatPath } from '../util/schema.js';
import { pipelineSchema, stepSchema } from './pipeline-schema.js';

const CONDITION_KEYS = ['ref', 'eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'exists', 'truthy', 'all', 'any', 'not'];

/** The keys an object at `path` may have, from the schema itself where it can tell. */
function knownKeys(path: readonly PropertyKey[]): readonly string[] {
  if (path.length === 0) return Object.keys(pipelineSchema.shape);
  if (path.length === 2 && path[0] === 'steps') return Object.keys(stepSchema.shape);
  if (path.includes('when')) return CONDITION_KEYS;
  const last = path[path.length - 1];
  if (last === 'retries') return ['attempts', 'backoff'];
  if (last === 'backoff') return ['type', 'delayMs', 'maxDelayMs', 'jitter'];
  return [];
}

/**
 * The branch of a union the value most likely meant: not one that rejected the value's type
 * outright, and among the rest the one with fewest problems, if only one has that few.
 */
function meantBranch(branches: readonly (readonly z.core.$ZodIssue[])[]): readonly z.core.$ZodIssue[] | undefined {
  // A branch that is itself a union (the comparisons inside a condition) counts as its branches.
  const flat = branches.flatMap((b) => (b.length === 1 && b[0]!.code === 'invalid_union' && b[0]!.path.length === 0 ? b[0]!.errors : [b]));
  const plausible = flat.filter((b) => !b.some((i) => i.code === 'invalid_type' && i.path.length === 0));
  // Each unknown key counts as a problem: `{rf, exists}` is nearer to `{ref, exists}` than to `{all}`.
  const size = (b: readonly z.core.$ZodIssue[]): number => b.reduce((n, i) => n + (i.code === 'unrecognized_keys' ? i.keys.length : 1), 0);
  const fewest = Math.min(...plausible.map(size));
  const best = plausible.filter((b) => size(b) === fewest);
  return best.length === 1 ? best[0] : undefined;
}

export function schemaIssues(issues: readonly z.core.$ZodIssue[], base: readonly PropertyKey[] = []): string[] {
  const lines: string[] = [];
  for (const raw of issues) {
    const issue = { ...raw, path: [...base, ...raw.path] } as z.core.$ZodIssue;
    const where = formatPath(issue.path);
    // A union with a message of its own (forEach's) says it better than any one branch.
    const branch = issue.code === 'invalid_union' && issue.message === 'Invalid input' ? meantBranch(issue.errors) : undefined;
    if (branch) lines.push(...schemaIssues(branch, issue.path));
    else if (issue.code === 'unrecognized_keys') {
      const known = knownKeys(issue.path);
      for (const key of issue.keys) {
        const near = closest(key, known);
        lines.push(`${where}: Unrecognized key: "${key}"${near ? ` (did you mean "${near}"?)` : ''}`);
      }
    } else lines.push(`${where}: ${issue.message}`);
  }
  return lines;
}
