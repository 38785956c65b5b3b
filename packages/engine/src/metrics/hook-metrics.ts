/** The metrics the engine reads off its own hooks (registered first, so plugins see nothing new). */
import type { HookRegistry } from '../hooks/hook-registry.js';
import type { EngineMetrics } from './engine-metrics.js';

export function recordHookMetrics(hooks: HookRegistry, metrics: EngineMetrics, defaultStrategy: string | undefined): void {
  const owner = '@weft/engine';
  hooks.on('route:after', ({ task, decision }) => metrics.routed(task.strategy ?? defaultStrategy ?? 'default', decision.decidedBy), owner);
  hooks.on(
    'task:error',
    (e) => {
      if (e.willRetry) metrics.retried(e.task.type);
    },
    owner,
  );
  hooks.on('pipeline:end', (e) => metrics.runEnded(e.status, e.durationMs), owner);
}
