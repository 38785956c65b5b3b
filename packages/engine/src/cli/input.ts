/** Parses `--input`: inline JSON, or `@file.json` / `@file.yaml`. */
import { readFile } from 'node:fs/promises';
import { parseYamlData } from '../pipeline/load-pipeline-file.js';
import { WeftError, errorMessage } from '../errors.js';
import { checkShape, type PipelineLimits } from '../pipeline/limits.js';

export async function parseInputOption(value: string | undefined, limits: PipelineLimits = {}): Promise<unknown> {
  const input = await readInput(value);
  // Handlers and the engine walk the input; a value nested past the limit is refused here.
  const shape = checkShape(input, limits, 'input');
  if (shape) throw new WeftError('WEFT_RUN_INPUT_INVALID', `--input: ${shape.path} ${shape.problem}.`, { retryable: false });
  return input;
}

async function readInput(value: string | undefined): Promise<unknown> {
  if (value === undefined) return {};
  if (value.startsWith('@')) {
    const file = value.slice(1);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (cause) {
      throw new WeftError('WEFT_RUN_INPUT_INVALID', `Cannot read input file ${file}: ${errorMessage(cause)}.`, { cause, retryable: false });
    }
    try {
      return file.endsWith('.json') ? JSON.parse(text) : parseYamlData(text);
    } catch (cause) {
      throw new WeftError('WEFT_RUN_INPUT_INVALID', `Input file ${file} does not parse: ${errorMessage(cause)}.`, { cause, retryable: false });
    }
  }
  try {
    return JSON.parse(value);
  } catch (cause) {
    throw new WeftError('WEFT_RUN_INPUT_INVALID', `--input is not valid JSON (${errorMessage(cause)}). Pass JSON such as '{"n": 3}' or @input.json.`, {
      cause,
      retryable: false,
    });
  }
}
