/** Reads a pipeline from a YAML or JSON file. YAML is parsed with custom tags disabled: data only. */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { WeftError, errorMessage } from '../errors.js';
import type { PipelineDefinition } from './pipeline-types.js';
import { validatePipeline, type ValidateOptions } from './validate-pipeline.js';

export async function loadPipelineFile(file: string, options: Omit<ValidateOptions, 'source'> = {}): Promise<PipelineDefinition> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new WeftError('WEFT_PIPELINE_FILE_UNREADABLE', `Cannot read pipeline file ${file}: ${errorMessage(cause)}. Check the path.`, { cause, retryable: false, details: { file } });
  }
  return validatePipeline(parsePipelineText(text, file), { ...options, source: file });
}

export function parsePipelineText(text: string, file: string): unknown {
  try {
    if (file.endsWith('.json')) return JSON.parse(text);
    // 'core' schema, no custom tags: YAML cannot construct anything but plain data here.
    return parseYaml(text, { schema: 'core', customTags: [], uniqueKeys: true, maxAliasCount: 100 });
  } catch (cause) {
    throw new WeftError('WEFT_PIPELINE_FILE_UNREADABLE', `Pipeline file ${file} is not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${errorMessage(cause)}`, {
      cause,
      retryable: false,
      details: { file },
    });
  }
}
