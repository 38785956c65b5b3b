/** Ordered async hooks: run in registration order; `task:before` stops at the first answer. */
import type { HookFn, HookMap, HookName } from '../contracts/hooks.js';

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

  /** Runs every hook of `name` in order; the first one to return a value ends the chain. */
  async emit<N extends HookName>(name: N, event: HookMap[N]['event']): Promise<{ result: HookMap[N]['result'] | undefined; owner?: string }> {
    const list = this.hooks.get(name);
    if (!list || list.length === 0) return NO_RESULT;
    for (const entry of [...list]) {
      const result = (await entry.fn(event)) as HookMap[N]['result'] | undefined;
      if (result !== undefined && result !== null) return { result, owner: entry.owner };
    }
    return NO_RESULT;
  }
}

/** Emits run per task: no object per emit that nothing answered. */
const NO_RESULT: { readonly result: undefined } = Object.freeze({ result: undefined });
