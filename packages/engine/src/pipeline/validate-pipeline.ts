/**
 * Validates a pipeline before anything runs: shape limits, schema, ids, dependsOn, cycles,
 * references, task types and strategy names. Every problem in the document is reported at once
 * as `path: problem` (a schema error does not hide the graph's problems), in one WeftError.
 * Linear in the size of the document: a 100,000-step chain validates in about a second.
 */
import { WeftError } from '../errors.js';
import { suggest } from '../util/suggest.js';
import { checkShape, type PipelineLimits } from './limits.js';
import { quickAccept } from './quick-accept.js';
import { pipelineSchema, stepSchema } from './pipeline-schema.js';
import { checkGraph, type LoosePipeline } from './check-graph.js';
import { schemaIssues } from './schema-issues.js';
import type { PipelineDefinition } from './pipeline-types.js';

export interface ValidateOptions {
  /** Registered task types; when given, unknown task types are errors. */
  readonly taskTypes?: readonly string[];
  /** Registered strategy names; when given, unknown names are errors. */
  readonly strategies?: readonly string[];
  /** The engine's default strategy (`routing.strategy` in its config), checked against `strategies`. */
  readonly routingStrategy?: string;
  /** Where the pipeline came from, for messages. */
  readonly source?: string;
  /** Bounds on nesting and size (see PipelineLimits). */
  readonly limits?: PipelineLimits;
}

/** At most this many problems are listed; the count says how many more there were. */
const MAX_LISTED = 100;

export function validatePipeline(raw: unknown, options: ValidateOptions = {}): Promise<PipelineDefinition> {
  try {
    return Promise.resolve(validateNow(raw, options));
  } catch (err) {
    return Promise.reject(err);
  }
}

function validateNow(raw: unknown, options: ValidateOptions): PipelineDefinition {
  // Nothing recursive may see a document that is too deep or contains itself.
  const shape = checkShape(raw, options.limits);
  if (shape) throw invalid(raw, [`${shape.path}: ${shape.problem}`], options.source, 1);
  const issues = new Issues(MAX_LISTED);
  const quick = quickAccept(raw);
  const schemaOk = quick.ok && quick.unsure.every((i) => stepSchema.safeParse((raw as { steps: unknown[] }).steps[i]).success);
  if (!schemaOk) for (const line of schemaIssues(pipelineSchema.safeParse(raw).error?.issues ?? [])) issues.add(line);
  checkGraph(loose(raw), options, issues);
  if (options.routingStrategy && options.strategies && !options.strategies.includes(options.routingStrategy)) {
    issues.add(
      () => `(engine config) routing.strategy: unknown strategy "${options.routingStrategy}"${suggest(options.routingStrategy!, options.strategies!)}`,
    );
  }
  if (issues.count > 0) throw invalid(raw, issues.lines(), options.source, issues.count);
  return raw as PipelineDefinition;
}

/** Problems found so far; a message is only written for the first `max` (suggestions cost). */
export class Issues {
  private readonly listed: string[] = [];
  private readonly seen = new Set<string>();
  count = 0;
  constructor(private readonly max: number) {}

  add(line: string | (() => string)): void {
    if (this.listed.length >= this.max) {
      this.count++;
      return;
    }
    const text = typeof line === 'string' ? line : line();
    if (this.seen.has(text)) return;
    this.seen.add(text);
    this.listed.push(text);
    this.count++;
  }

  lines(): string[] {
    const more = this.count - this.listed.length;
    return more > 0 ? [...this.listed, `… and ${more} more problem${more === 1 ? '' : 's'}`] : [...this.listed];
  }
}

/** The document's steps as far as they can be read, so graph problems are found even when the schema failed. */
function loose(raw: unknown): LoosePipeline {
  const doc = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  const steps = Array.isArray(doc['steps']) ? (doc['steps'] as unknown[]) : [];
  return {
    strategy: typeof doc['strategy'] === 'string' ? doc['strategy'] : undefined,
    output: doc['output'],
    steps: steps.map((s) => {
      const o = typeof s === 'object' && s !== null && !Array.isArray(s) ? (s as Record<string, unknown>) : {};
      const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
      return {
        id: text(o['id']),
        task: text(o['task']),
        dependsOn: Array.isArray(o['dependsOn']) ? (o['dependsOn'] as unknown[]).map(text) : [],
        strategy: text(o['strategy']),
        input: o['input'],
        forEach: o['forEach'],
        key: o['key'],
        when: o['when'],
      };
    }),
  };
}

function invalid(raw: unknown, issues: string[], source: string | undefined, count: number): WeftError<'WEFT_PIPELINE_INVALID'> {
  const name =
    typeof raw === 'object' && raw !== null && typeof (raw as { name?: unknown }).name === 'string'
      ? `"${(raw as { name: string }).name}"`
      : source
        ? `in ${source}`
        : '';
  return new WeftError(
    'WEFT_PIPELINE_INVALID',
    `Pipeline ${name} is invalid (${count} problem${count === 1 ? '' : 's'}):\n${issues.map((i) => `  - ${i}`).join('\n')}`,
    {
      retryable: false,
      details: { issues, ...(source ? { source } : {}) },
    },
  );
}
