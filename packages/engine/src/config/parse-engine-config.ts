/** Validates raw engine configuration at the edge, with the error every entry point gives. */
import { WeftError } from '../errors.js';
import { validateWith } from '../util/schema.js';
import { engineConfigSchema, type EngineConfig } from './engine-config.js';

export async function parseEngineConfig(raw: unknown): Promise<EngineConfig> {
  const parsed = await validateWith(engineConfigSchema, raw ?? {}, 'config');
  if (!parsed.ok) {
    throw new WeftError('WEFT_CONFIG_INVALID', `Engine configuration is invalid: ${parsed.issues.join('; ')}. Fix these fields.`, {
      retryable: false,
      details: { issues: parsed.issues },
    });
  }
  return parsed.value;
}
