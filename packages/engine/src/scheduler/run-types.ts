export type StepStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'cancelled';

export interface StepReport {
  status: StepStatus;
  /** Attempts made over all items. */
  attempts: number;
  durationMs: number;
  /** Workers that ran it, in order. */
  workers: string[];
  /** Items answered from the cache or a hook without running. */
  answered: number;
  /** Tasks answered from their record of an earlier process (a resumed run) without running again. */
  recovered?: number;
  /** Number of items when the step has forEach. */
  items?: number;
  /** Why it was skipped or cancelled. */
  reason?: string;
  /** A `WeftErrorCode`, or a plugin's own code. */
  error?: { code: string; message: string };
}

export interface RunResult {
  readonly runId: string;
  readonly pipeline: string;
  readonly status: 'succeeded' | 'failed' | 'cancelled';
  readonly output: unknown;
  readonly outputs: Readonly<Record<string, unknown>>;
  readonly steps: Readonly<Record<string, StepReport>>;
  readonly durationMs: number;
  /** Trace id of the run, when tracing records. */
  readonly traceId?: string;
}

export type RunEvent =
  | { type: 'run:start'; runId: string; steps: number; resumed?: boolean }
  | { type: 'step:start'; stepId: string }
  | { type: 'step:end'; stepId: string; report: StepReport }
  /** A forEach step resolved its list: this many items will run. */
  | { type: 'step:items'; stepId: string; items: number }
  /** One forEach item ended (`ok` false: it failed after its retries). */
  | { type: 'item:end'; stepId: string; index: number; ok: boolean }
  | { type: 'task:retry'; stepId: string; attempt: number; delayMs: number; error: string }
  | { type: 'task:routed'; stepId: string; workerId: string; decidedBy: string }
  | { type: 'run:end'; result: RunResult };

export interface RunOptions {
  /** Cancels the run: running tasks see their signal abort, the run ends with WEFT_RUN_CANCELLED. */
  signal?: AbortSignal;
  /** Default a random UUID. */
  runId?: string;
  /**
   * Continue the stored run `runId` (a fleet keeps runs in Redis): steps it finished are not run
   * again, tasks it completed are answered from their records. Needs a runtime that keeps runs.
   */
  resume?: boolean;
  /** With `resume`: the stored run may have failed; it is opened again and its failed steps run again (a dead-letter replay). */
  reopen?: boolean;
  /** Priority of the run's tasks (-1000..1000, higher runs first; a step's own priority wins). Default 0. */
  priority?: number;
  /** Progress callback (the CLI's live display). */
  onEvent?: (event: RunEvent) => void;
}
