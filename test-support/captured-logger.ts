/** A logger whose lines tests can read: the engine's own (createLogger, with its redaction), writing to memory. */
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '@weft/engine';

export interface CapturedLogger {
  logger: Logger;
  /** Parsed log lines written so far. */
  lines(): { level: number; msg: string; [k: string]: unknown }[];
  /** Raw text written so far. */
  text(): string;
}

export function capturedLogger(level = 'info'): CapturedLogger {
  let text = '';
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      text += chunk.toString();
      cb();
    },
  });
  return {
    logger: createLogger({ level, destination: sink }),
    text: () => text,
    lines: () =>
      text
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { level: number; msg: string }),
  };
}
