import { LanguageBridge } from '../contracts/language-bridge.js';
import type { DependencyContainer } from 'tsyringe';

/**
 * A worker's `--capabilities` plus `lang:<id>` for every language whose server the loaded
 * LanguageBridge can start, so the dispatcher sends a file's tasks only where its language is served.
 */
export function advertisedCapabilities(flag: string, engine: { readonly container: DependencyContainer }): string[] {
  const caps = flag
    .split(',')
    .map((c) => c.trim())
    .filter(Boolean);
  const bridge = engine.container.isRegistered(LanguageBridge, true) ? engine.container.resolve(LanguageBridge) : undefined;
  for (const lang of bridge?.languages() ?? []) caps.push(`lang:${lang}`);
  return [...new Set(caps)];
}
