/**
 * Routes each task type to its own strategy (plugin config `byTaskType`), registered as one
 * strategy so the engine's dispatcher stays as it is: select it with `routing.strategy`.
 */
import type { BalancingStrategy, TaskDescriptor, TaskOutcome, WorkerView } from '@weft/engine';
import type { SelectContext, StrategyChoice } from '@weft/engine/contracts';
import type { ObservingStrategy } from './observing-strategy.js';

export class TaskTypeRouter implements ObservingStrategy {
  constructor(
    private readonly routes: ReadonlyMap<string, BalancingStrategy>,
    private readonly fallback: BalancingStrategy,
    readonly name = 'by-task-type',
  ) {}

  select(task: TaskDescriptor, candidates: readonly WorkerView[], ctx: SelectContext): StrategyChoice {
    const s = this.routes.get(task.type) ?? this.fallback;
    const choice = s.select(task, candidates, ctx);
    return { ...choice, reason: `${task.type} → ${s.name}: ${choice.reason ?? s.name}` };
  }

  observe(outcome: TaskOutcome): void {
    for (const s of new Set([...this.routes.values(), this.fallback])) (s as ObservingStrategy).observe?.(outcome);
  }
}
