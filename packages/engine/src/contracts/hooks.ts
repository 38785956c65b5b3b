import type { RouteDecision } from './routing.js';
import type { TaskDescriptor, TaskOutcome } from './task.js';
import type { WorkerView } from './worker.js';

export interface PipelineStartEvent {
  readonly runId: string;
  readonly pipeline: string;
  readonly input: unknown;
}

export interface PipelineEndEvent {
  readonly runId: string;
  readonly pipeline: string;
  readonly status: 'succeeded' | 'failed' | 'cancelled';
  readonly durationMs: number;
  readonly error?: Error;
}

/** Return `{ output }` from a `task:before` hook to answer the task without running it. */
export interface TaskAnswer {
  readonly output: unknown;
  /** Who answered, recorded on the task span (`cache`, a plugin name). */
  readonly answeredBy?: string;
}

export interface RouteBeforeEvent {
  readonly task: TaskDescriptor;
  readonly candidates: readonly WorkerView[];
}

export interface RouteAfterEvent {
  readonly task: TaskDescriptor;
  readonly decision: RouteDecision;
}

export interface TaskErrorEvent extends TaskOutcome {
  /** Whether the scheduler will try again. */
  readonly willRetry: boolean;
  /** Set when the attempt stopped because its run was cancelled or failed fast, not because it failed. */
  readonly cancelled?: boolean;
}

/** Every hook, its payload and what it may return. */
export interface HookMap {
  'pipeline:start': { event: PipelineStartEvent; result: void };
  'pipeline:end': { event: PipelineEndEvent; result: void };
  'task:before': { event: TaskDescriptor; result: TaskAnswer | void };
  'task:after': { event: TaskOutcome; result: void };
  'task:error': { event: TaskErrorEvent; result: void };
  'route:before': { event: RouteBeforeEvent; result: void };
  'route:after': { event: RouteAfterEvent; result: void };
}

export type HookName = keyof HookMap;
/** The one hook that may answer (its first answer ends the chain); every other hook only observes. */
export type AnsweringHook = 'task:before';

/**
 * A hook function. `task:before` may return a `TaskAnswer`; the others are typed as returning
 * void: whatever they return is ignored, and every hook of the chain still runs.
 */
export type HookFn<N extends HookName> = N extends AnsweringHook
  ? (event: HookMap[N]['event']) => Promise<HookMap[N]['result']> | HookMap[N]['result']
  : (event: HookMap[N]['event']) => void;
