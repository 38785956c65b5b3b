/** What a worker can advertise before any engine exists: the languages whose servers can start here. */
import { lspConfigSchema, type LspConfigInput } from '../config.js';
import { serverSpecs, unavailableReason } from '../servers/server-spec.js';

/** `['lang:typescript', 'lang:javascript', 'lang:python']` when every built-in server is installed. */
export function languageCapabilities(config: LspConfigInput = {}): string[] {
  const { servers } = lspConfigSchema.parse(config);
  const langs = serverSpecs(servers)
    .filter((s) => unavailableReason(s) === undefined)
    .flatMap((s) => s.languages);
  return [...new Set(langs)].map((l) => `lang:${l}`);
}
