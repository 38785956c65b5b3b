/** Reads a pipeline from a YAML or JSON file. YAML is parsed with custom tags disabled: data only. */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { WeftError, errorMessage } from '../errors.js';
import { checkShape, MAX_DEPTH_CEILING } from './limits.js';
import type { PipelineDefinition } from './pipeline-types.js';
import { validatePipeline, type ValidateOptions } from './validate-pipeline.js';

export async function loadPipelineFile(file: string, options: Omit<ValidateOptions, 'source'> = {}): Promise<PipelineDefinition> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new WeftError('WEFT_PIPELINE_FILE_UNREADABLE', `Cannot read pipeline file ${file}: ${errorMessage(cause)}. Check the path.`, {
      cause,
      retryable: false,
      details: { file },
    });
  }
  return validatePipeline(parsePipelineText(text, file), { ...options, source: file });
}

export function parsePipelineText(text: string, file: string): unknown {
  try {
    if (file.endsWith('.json')) return JSON.parse(text);
    return parseYamlData(text);
  } catch (cause) {
    throw new WeftError(
      'WEFT_PIPELINE_FILE_UNREADABLE',
      `Pipeline file ${file} is not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${errorMessage(cause)}`,
      {
        cause,
        retryable: false,
        details: { file },
      },
    );
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
 * YAML as plain data: the 'core' schema, and every explicit tag is refused, core ones included
 * (`!!str`, `!!int "12"`, `!!map`, `!!seq`, `!!pairs`, verbatim `!<tag:…>`, `!js/function`): a
 * file's values are what they look like, and a file cannot even look like it carries code. The
 * document is walked without recursion, so a file nested 10,000 deep is no danger here.
 */
export function parseYamlData(text: string): unknown {
  const y = yaml();
  const doc = y.parseDocument(text, { schema: 'core', customTags: [], uniqueKeys: true });
  const problems = [...doc.errors, ...doc.warnings.filter((w) => w.code === 'TAG_RESOLVE_FAILED')];
  if (problems.length > 0) {
    const p = problems[0]!;
    const where = p.linePos?.[0] ? ` at line ${p.linePos[0].line}, column ${p.linePos[0].col}` : '';
    throw new Error(`${p.code === 'TAG_RESOLVE_FAILED' ? 'YAML tags are not allowed (data only)' : p.message.split('\n')[0]}${where}`);
  }
  const tagged = firstTag(doc, y);
  if (tagged) {
    const at = tagged.range ? lineCol(text, tagged.range[0]) : undefined;
    const tag = tagged.tag!.replace(/^tag:yaml\.org,2002:/, '!!');
    throw new Error(`YAML tags are not allowed (data only): remove "${tag}"${at ? ` (the value at line ${at.line}, column ${at.col})` : ''}`);
  }
  const value: unknown = doc.toJS({ maxAliasCount: 100 });
  // An alias inside its own anchor makes a value that contains itself: no consumer can use it.
  const shape = checkShape(value, { maxDepth: MAX_DEPTH_CEILING });
  if (shape) throw new Error(`${shape.path} ${shape.problem}`);
  return value;
}

type YamlNode = { tag?: string; range?: [number, number, number] | null };

/** The first node written with an explicit tag, found with an explicit stack. */
function firstTag(doc: import('yaml').Document, y: typeof import('yaml')): YamlNode | undefined {
  const todo: unknown[] = [doc.contents];
  while (todo.length > 0) {
    const node = todo.pop();
    if (!y.isNode(node) && !y.isPair(node)) continue;
    if (y.isPair(node)) {
      todo.push(node.value, node.key);
      continue;
    }
    if (node.tag) return node;
    if (y.isCollection(node)) for (let i = node.items.length - 1; i >= 0; i--) todo.push(node.items[i]);
  }
  return undefined;
}

function lineCol(text: string, offset: number): { line: number; col: number } {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, col: offset - start + 1 };
}
