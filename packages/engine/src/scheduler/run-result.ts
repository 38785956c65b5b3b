/** The RunResult of a run that ended: its output (the pipeline's, or its leaf steps'), outputs and reports. */
import { trace, type Span } from '@opentelemetry/api';
import type { PipelineDefinition } from '../pipeline/pipeline-types.js';
import { resolveExpr } from '../pipeline/refs.js';
import type { RunResult, StepReport } from './run-types.js';

export interface EndedRun {
  readonly runId: string;
  readonly pipeline: PipelineDefinition;
  readonly input: unknown;
  readonly outputs: Readonly<Record<string, unknown>>;
  readonly reports: Readonly<Record<string, StepReport>>;
  /** performance.now() at the start. */
  readonly started: number;
  readonly span: Span;
}

export function runResult(run: EndedRun, status: RunResult['status']): RunResult {
  let output: unknown;
  if (status === 'succeeded') {
    output = run.pipeline.output !== undefined ? resolveExpr(run.pipeline.output, { input: run.input, steps: run.outputs }, 'output') : leafOutputs(run);
  }
  const context = run.span.spanContext();
  return {
    runId: run.runId,
    pipeline: run.pipeline.name,
    status,
    output,
    outputs: { ...run.outputs },
    steps: structuredClone(run.reports),
    durationMs: performance.now() - run.started,
    ...(trace.isSpanContextValid(context) ? { traceId: context.traceId } : {}),
  };
}

/** Outputs of the steps nothing depends on. */
function leafOutputs(run: EndedRun): Record<string, unknown> {
  const used = new Set(run.pipeline.steps.flatMap((s) => s.dependsOn ?? []));
  const out: Record<string, unknown> = {};
  for (const s of run.pipeline.steps) if (!used.has(s.id) && s.id in run.outputs) out[s.id] = run.outputs[s.id];
  return out;
}
