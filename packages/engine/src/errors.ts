/**
 * The engine's one table of error codes. Each code is a literal type so `err.code === '…'`
 * narrows, and each message names the thing, the place and the fix.
 */
export const ErrorCodes = {
  WEFT_PLUGIN_NOT_FOUND: 'A plugin named in configuration could not be imported.',
  WEFT_PLUGIN_INVALID: 'A module did not export a plugin made with definePlugin().',
  WEFT_PLUGIN_INCOMPATIBLE: "A plugin's engine range does not include this engine's version.",
  WEFT_PLUGIN_CONFIG_INVALID: "A plugin's configuration failed its schema.",
  WEFT_PLUGIN_DUPLICATE: 'Two plugins share one name.',
  WEFT_PLUGIN_SETUP_FAILED: "A plugin's setup() threw.",
  WEFT_PLUGIN_TEARDOWN_FAILED: "One or more plugins' teardown threw during close().",
  WEFT_CONFIG_INVALID: 'The engine configuration failed its schema.',
  WEFT_HANDLER_DUPLICATE: 'Two handlers were registered for one task type.',
  WEFT_HANDLER_NOT_FOUND: 'No handler is registered for a task type.',
  WEFT_STRATEGY_UNKNOWN: 'A balancing strategy name is not registered.',
  WEFT_PIPELINE_INVALID: 'A pipeline definition failed validation.',
  WEFT_PIPELINE_FILE_UNREADABLE: 'A pipeline file could not be read or parsed.',
  WEFT_INPUT_INVALID: "A task's input failed its handler's schema.",
  WEFT_REFERENCE_UNRESOLVED: 'A $ref in a step input pointed at nothing at run time.',
  WEFT_TASK_TIMEOUT: 'A task ran longer than its timeout.',
  WEFT_TASK_FAILED: 'A task handler threw.',
  WEFT_TASK_MEMORY_LIMIT: "An isolated task's thread or process ran out of its memory cap (`memoryMb`).",
  WEFT_TASK_UNCLONEABLE: "An isolated task's input or output holds a value that cannot cross a thread or process by structured clone.",
  WEFT_LIMIT_KEY_INVALID: "A step's or handler's limitKey resolved to something other than a non-empty string or number.",
  WEFT_SANDBOX_CRASHED: "An isolated task's thread or process exited before answering (not a timeout nor its memory cap).",
  WEFT_RUN_CANCELLED: 'A pipeline run was cancelled.',
  WEFT_RUN_FAILED: 'A pipeline run ended with failed steps.',
  WEFT_NO_WORKER_AVAILABLE: 'No live worker can take a task.',
  WEFT_ENGINE_CLOSED: 'The engine was used after close().',
  WEFT_JOB_INVALID: 'A queued job payload is malformed.',
  WEFT_REDIS_UNAVAILABLE: 'Redis could not be reached.',
  WEFT_WORKER_LOST: "A task's worker disappeared before it finished.",
  WEFT_RUN_NOT_FOUND: 'No run with that id is known.',
  WEFT_REDIS_AUTH_FAILED: 'Redis refused the user or password in the URL.',
  WEFT_RUN_UNRESUMABLE: 'A stored run needs task types that no loaded plugin provides.',
  WEFT_RUN_LEASED: 'Another live process holds the lease of the run (it is driving it).',
  WEFT_RUN_ENDED: 'The run has already ended; there is nothing to resume or cancel.',
  WEFT_RUN_LEASE_LOST: 'The process driving a run lost its lease to another one, which now drives it.',
  WEFT_RUN_INPUT_INVALID: "A run's input (`--input`) could not be read or parsed, or exceeds the limits.",
  WEFT_CONFIG_NOT_FOUND: 'No engine configuration was found and no plugins were named, so no task type is known.',
  WEFT_DLQ_NOT_FOUND: 'No dead letter has that id (replayed, purged, or past its retention).',
  WEFT_DLQ_UNREPLAYABLE: "A dead letter cannot be replayed: its input was too large to keep and its run's record is gone.",
  WEFT_SCHEDULE_INVALID: "A schedule's name, cron expression or time zone is not valid.",
  WEFT_SCHEDULE_NOT_FOUND: 'No schedule has that name.',
  WEFT_TELEMETRY_UNAVAILABLE: 'The OpenTelemetry SDK packages are not installed.',
  WEFT_DASHBOARD_INVALID: 'The dashboard options are invalid (port, Redis URL, token), or it would listen beyond loopback without a token.',
} as const;

export type WeftErrorCode = keyof typeof ErrorCodes;

export interface WeftErrorOptions {
  cause?: unknown;
  /** False for errors that another attempt cannot fix (bad input, unknown handler). Default true. */
  retryable?: boolean;
  /** Structured details for programs: the path, the plugin name, the step id… */
  details?: Record<string, unknown>;
}

/**
 * Every error the engine throws on purpose. Plugins use it with codes of their own
 * (`new WeftError<'WEFT_LSP_SERVER_MISSING'>(…)`), so their codes reach step reports and spans.
 */
export class WeftError<C extends string = WeftErrorCode> extends Error {
  readonly code: C;
  readonly retryable: boolean;
  readonly details: Record<string, unknown>;

  constructor(code: C, message: string, options: WeftErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'WeftError';
    this.code = code;
    this.retryable = options.retryable ?? true;
    this.details = options.details ?? {};
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, retryable: this.retryable, details: this.details };
  }
}

/** Throw from a handler to fail a task without retrying it (as BullMQ's UnrecoverableError). */
export class NonRetryableError extends Error {
  readonly retryable = false;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NonRetryableError';
  }
}

export function isWeftError<C extends string>(err: unknown, code?: C): err is WeftError<C> {
  return err instanceof WeftError && (code === undefined || err.code === code);
}

/** Whether another attempt may succeed: WeftErrors and NonRetryableError say so; others are retried. */
export function isRetryable(err: unknown): boolean {
  if (err instanceof WeftError || err instanceof NonRetryableError) return err.retryable;
  return true;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
