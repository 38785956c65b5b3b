/**
 * Where a run keeps its progress outside the process that drives it (the fleet keeps it in
 * Redis), so that another process can continue it. The embedded runtime has none.
 */
import type { InjectionToken } from 'tsyringe';
import type { PipelineDefinition } from '../pipeline/pipeline-types.js';
import type { RunResult, StepReport } from './run-types.js';

export interface RestoredStep {
  readonly report: StepReport;
  readonly output: unknown;
}

/** One run's journal, opened as the run starts or resumes. */
export interface RunJournal {
  /** Steps that ended (succeeded or skipped) in an earlier process: never run again. */
  readonly restored: ReadonlyMap<string, RestoredStep>;
  /** Aborts when the run is cancelled from elsewhere, or when this process lost the run's lease. */
  readonly signal: AbortSignal;
  /** A task that completed earlier, by its idempotency key: its output. */
  completed(idempotencyKey: string): { output: unknown } | undefined;
  /** Records a step's end; its output too when it succeeded. */
  stepEnded(stepId: string, report: StepReport, output: unknown): void;
  /** Records the run's end (and drops its per-task records); nothing when the lease was lost. */
  end(result: RunResult): Promise<void>;
  /**
   * This process stops driving the run without ending it (its engine closes): the lease is given
   * up at once, so that another process takes the run over from its record.
   */
  release(): Promise<void>;
}

export interface OpenRun {
  readonly runId: string;
  readonly pipeline: PipelineDefinition;
  readonly input: unknown;
  /** Continue a stored run (its record must exist) instead of starting a new one. */
  readonly resume: boolean;
  /** With `resume`: a run that failed is opened again (its failed and cancelled steps run again). */
  readonly reopen?: boolean;
  /** The run's priority, kept with a new run so that whoever continues it keeps it. */
  readonly priority?: number;
}

export interface RunJournals {
  open(run: OpenRun): Promise<RunJournal>;
}

/** Registered by a runtime that keeps runs outside the process (the fleet). */
export const RunJournalsToken: InjectionToken<RunJournals> = Symbol.for('weft.RunJournals');
