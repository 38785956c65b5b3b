/** A run's DAG as the dashboard draws it: its steps, their edges, and where each step stands. */
import { collectRefs, refStep } from '../pipeline/refs.js';
import type { PipelineDefinition } from '../pipeline/pipeline-types.js';
import type { StepReport } from '../scheduler/run-types.js';
import type { FanOutRecord, StepRecord } from '../fleet/run-store.js';
import type { RunMeta } from '../fleet/run-record.js';
import type { RunRow } from './fleet-reader.js';

export interface GraphStep {
  readonly id: string;
  readonly task: string;
  /** Steps this one waits for: `dependsOn` and the steps its input, forEach or key refer to. */
  readonly deps: readonly string[];
  readonly forEach: boolean;
  /** `pending`, `running`, or the step's ended status. */
  readonly status: string;
  readonly durationMs?: number;
  readonly attempts?: number;
  readonly workers: readonly string[];
  /** forEach steps: items so far, and the total once the step ended. */
  readonly items?: { readonly succeeded: number; readonly failed: number; readonly retrying: number; readonly total?: number };
  readonly error?: string;
}

export interface RunGraph extends RunRow {
  readonly error?: string;
  readonly steps: readonly GraphStep[];
}

/** Builds the graph from a run hash (HGETALL of the run's record); undefined when it holds no run. */
export function runGraph(all: Record<string, string>, state: (meta: RunMeta) => string): RunGraph | undefined {
  if (!all['meta'] || !all['def']) return undefined;
  const meta = JSON.parse(all['meta']) as RunMeta;
  const def = JSON.parse(all['def']) as PipelineDefinition;
  const reports = new Map<string, StepReport>();
  const fanOut = new Map<string, FanOutRecord>();
  const touched = new Map<string, StepRecord>();
  for (const [field, value] of Object.entries(all)) {
    if (field.startsWith('step:')) reports.set(field.slice(5), (JSON.parse(value) as { report: StepReport }).report);
    else if (field.startsWith('fanout:')) fanOut.set(field.slice(7), JSON.parse(value) as FanOutRecord);
    else if (field.startsWith('task:')) {
      const t = JSON.parse(value) as StepRecord;
      const seen = touched.get(t.stepId);
      if (!seen || seen.at < t.at) touched.set(t.stepId, t);
    }
  }
  const ids = new Set(def.steps.map((s) => s.id));
  const steps = def.steps.map((s): GraphStep => {
    const refs = [...collectRefs(s.input, 'input'), ...collectRefs(s.forEach, 'forEach'), ...collectRefs(s.key, 'key')]
      .map((r) => refStep(r.ref))
      .filter((id): id is string => id !== undefined && ids.has(id) && id !== s.id);
    const deps = [...new Set([...(s.dependsOn ?? []), ...refs])];
    const report = reports.get(s.id);
    const items = fanOut.get(s.id);
    const last = touched.get(s.id);
    const status =
      report?.status ??
      (items || last ? 'running' : meta.status === 'running' && deps.every((d) => reports.get(d)?.status === 'succeeded') ? 'running' : 'pending');
    return {
      id: s.id,
      task: s.task,
      deps,
      forEach: s.forEach !== undefined,
      status,
      ...(report ? { durationMs: Math.round(report.durationMs), attempts: report.attempts } : {}),
      workers: [...new Set(report?.workers ?? (items ? Object.keys(items.workers) : last ? [last.workerId] : []))],
      ...(s.forEach !== undefined
        ? {
            items: {
              succeeded: items?.succeeded ?? 0,
              failed: items?.failed ?? 0,
              retrying: items?.retrying ?? 0,
              ...(report?.items !== undefined ? { total: report.items } : {}),
            },
          }
        : {}),
      ...(last?.error ? { error: last.error } : {}),
    };
  });
  return {
    runId: meta.runId,
    pipeline: meta.pipeline,
    status: meta.status,
    state: state(meta),
    startedAt: meta.startedAt,
    ...(meta.durationMs === undefined ? {} : { durationMs: Math.round(meta.durationMs) }),
    ...(meta.error ? { error: meta.error } : {}),
    steps,
  };
}
