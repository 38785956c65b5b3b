import { WeftError } from '../errors.js';
import type { RunResult } from './run-types.js';

/** A run that ended without success; `result` holds every step's report and the outputs made. */
export class PipelineRunError extends WeftError<'WEFT_RUN_FAILED' | 'WEFT_RUN_CANCELLED'> {
  readonly result: RunResult;
  readonly failures: { stepId: string; code: string; message: string }[];

  constructor(result: RunResult, cause?: unknown) {
    const failures = Object.entries(result.steps)
      .filter(([, r]) => r.status === 'failed')
      .map(([stepId, r]) => ({ stepId, code: String(r.error?.code ?? 'WEFT_TASK_FAILED'), message: r.error?.message ?? '' }));
    const cancelled = result.status === 'cancelled';
    const list = failures.map((f) => `  - step "${f.stepId}": ${f.code}: ${f.message}`).join('\n');
    super(
      cancelled ? 'WEFT_RUN_CANCELLED' : 'WEFT_RUN_FAILED',
      cancelled
        ? `Pipeline "${result.pipeline}" run ${result.runId} was cancelled.${list ? `\n${list}` : ''}`
        : `Pipeline "${result.pipeline}" run ${result.runId} failed in ${failures.length} step${failures.length === 1 ? '' : 's'}:\n${list}`,
      { retryable: false, cause, details: { runId: result.runId, failures } },
    );
    this.name = 'PipelineRunError';
    this.result = result;
    this.failures = failures;
  }
}
