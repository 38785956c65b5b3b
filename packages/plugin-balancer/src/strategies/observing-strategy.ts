/** A strategy that learns from finished tasks; the plugin feeds it from `task:after` and `task:error`. */
import type { BalancingStrategy, TaskOutcome } from '@weft/engine';

export interface ObservingStrategy extends BalancingStrategy {
  observe?(outcome: TaskOutcome): void;
}
