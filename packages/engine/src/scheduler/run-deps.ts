/** What one pipeline run needs from its engine. */
import type { ResultCache } from '../contracts/cache.js';
import type { Dispatcher } from '../dispatch/dispatcher.js';
import type { Executor } from '../executors/executor.js';
import type { HandlerRegistry } from '../handlers/handler-registry.js';
import type { HookRegistry } from '../hooks/hook-registry.js';
import type { Logger } from '../logging/logger.js';
import type { Telemetry } from '../tracing/telemetry.js';
import type { RunJournals } from './run-journal.js';

export interface RunDeps {
  readonly handlers: HandlerRegistry;
  readonly hooks: HookRegistry;
  readonly dispatcher: Dispatcher;
  readonly executor: Executor;
  readonly telemetry: Telemetry;
  readonly logger: Logger;
  /** The loaded result cache; undefined when none is (then nothing is looked up or stored). */
  readonly cache: () => ResultCache | undefined;
  readonly random: () => number;
  /** Where the run keeps its progress outside this process (a fleet), if anywhere. */
  readonly journals?: RunJournals;
  /** Engine-wide signal: aborts on close(). */
  readonly engineSignal: AbortSignal;
}
