/** A service the plugin shares: finished tasks by type, fed by a `task:after` hook. */
import type { HookFn } from '@weft/engine/contracts';
import type { InjectionToken } from 'tsyringe';

export interface TaskTally {
  /** Finished attempts of a task type: succeeded, failed, answered without running. */
  get(type: string): { readonly ok: number; readonly failed: number; readonly answered: number };
  types(): readonly string[];
}

/** Other plugins and applications read the tally with `ctx.resolve(TaskTally)` / `engine.container.resolve(TaskTally)`. */
export const TaskTally: InjectionToken<TaskTally> = Symbol.for('acme.weft-plugin-template.TaskTally');

export class TaskTallyService implements TaskTally {
  private readonly byType = new Map<string, { ok: number; failed: number; answered: number }>();

  get(type: string): { readonly ok: number; readonly failed: number; readonly answered: number } {
    return { ...(this.byType.get(type) ?? { ok: 0, failed: 0, answered: 0 }) };
  }

  types(): readonly string[] {
    return [...this.byType.keys()].sort();
  }

  /** The `task:after` hook: runs after every attempt, on every task type. */
  readonly onTaskAfter: HookFn<'task:after'> = (outcome) => {
    const entry = this.byType.get(outcome.task.type) ?? { ok: 0, failed: 0, answered: 0 };
    if (outcome.shortCircuited) entry.answered += 1;
    else if (outcome.ok) entry.ok += 1;
    else entry.failed += 1;
    this.byType.set(outcome.task.type, entry);
  };
}
