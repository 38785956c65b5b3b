/** Reads a pipeline from a YAML or JSON file. YAML is parsed with custom tags disabled: data only. */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
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
    return parseYamlData(text);
  } catch (cause) {
    throw new WeftError('WEFT_PIPELINE_FILE_UNREADABLE', `Pipeline file ${file} is not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${errorMessage(cause)}`, {
      cause,
      retryable: false,
      details: { file },
    });
  }
}

/**
 * The YAML parser is loaded on first use: a worker process that never reads a YAML file saves
 * 2-3 MB of resident memory. (require, not import(): parsing stays synchronous.)
 */
let yamlModule: typeof import('yaml') | undefined;
function yaml(): typeof import('yaml') {
  return (yamlModule ??= createRequire(import.meta.url)('yaml') as typeof import('yaml'));
}

/**
 * YAML as plain data: the 'core' schema, and any explicit tag (`!!js/function`, `!foo`) is an
 * error rather than a silently kept string, so a file cannot even look like it carries code.
 */
export function parseYamlData(text: string): unknown {
  const doc = yaml().parseDocument(text, { schema: 'core', customTags: [], uniqueKeys: true });
  const problems = [...doc.errors, ...doc.warnings.filter((w) => w.code === 'TAG_RESOLVE_FAILED')];
  if (problems.length > 0) {
    const p = problems[0]!;
    const where = p.linePos?.[0] ? ` at line ${p.linePos[0].line}, column ${p.linePos[0].col}` : '';
    throw new Error(`${p.code === 'TAG_RESOLVE_FAILED' ? 'YAML tags are not allowed (data only)' : p.message.split('\n')[0]}${where}`);
  }
  return doc.toJS({ maxAliasCount: 100 });
}
