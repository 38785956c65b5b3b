/** Ordered async hooks: run in registration order; only `task:before` stops at the first answer. */
import type { AnsweringHook, HookFn, HookMap, HookName } from '../contracts/hooks.js';

interface Entry {
  owner: string;
  fn: (event: unknown) => unknown;
}

export class HookRegistry {
  private readonly hooks = new Map<HookName, Entry[]>();

  on<N extends HookName>(name: N, fn: HookFn<N>, owner = '<app>'): () => void {
    const list = this.hooks.get(name) ?? [];
    const entry: Entry = { owner, fn: fn as (event: unknown) => unknown };
    list.push(entry);
    this.hooks.set(name, list);
    return () => {
      const i = list.indexOf(entry);
      if (i >= 0) list.splice(i, 1);
    };
  }

  has(name: HookName): boolean {
    return (this.hooks.get(name)?.length ?? 0) > 0;
  }

  /**
   * Runs every hook of `name` in order. Only `task:before` (the hook that may answer a task)
   * stops at the first hook that returns a value; every other hook runs whatever an earlier one
   * returned, so a logging hook that happens to return something never silences a later one.
   */
  async emit<N extends HookName>(name: N, event: HookMap[N]['event']): Promise<EmitResult<N>> {
    const list = this.hooks.get(name);
    if (!list || list.length === 0) return NO_RESULT;
    const answers = ANSWERING.has(name);
    for (const entry of [...list]) {
      const result = (await entry.fn(event)) as HookMap[N]['result'] | undefined;
      if (answers && result !== undefined && result !== null) return { result, owner: entry.owner };
    }
    return NO_RESULT;
  }
}

/** The hooks whose first answer ends the chain (documented in the README's hook table). */
const ANSWERING: ReadonlySet<HookName> = new Set<AnsweringHook>(['task:before']);

/** What emit() returns: the answer and who gave it, for `task:before`; nothing for the others. */
export interface EmitResult<N extends HookName> {
  readonly result: HookMap[N]['result'] | undefined;
  readonly owner?: string;
}

/** Emits run per task: no object per emit that nothing answered. */
const NO_RESULT: { readonly result: undefined } = Object.freeze({ result: undefined });
