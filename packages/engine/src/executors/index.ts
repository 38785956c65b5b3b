/** `@weft/engine/executors`: the embedded executor, the task runner every executor runs a task through, and a worker's live stats. */
export { MemoryExecutor, type EmbeddedWorkerOptions } from './memory-executor.js';
export { WorkerStatsTracker, type WorkerStatsOptions } from './worker-stats.js';
export { runTask, type RunTaskOptions } from './task-runner.js';
export type { Executor, ExecuteRequest } from './executor.js';
export type { ExecutorDeps, Router } from './executor-deps.js';
