/**
 * The `weft` commands' logger: pretty lines (pino-pretty) when stderr is a terminal, written
 * above the progress bar so they never break it; JSON lines otherwise, for machines.
 */
import { Writable } from 'node:stream';
import { build as pretty } from 'pino-pretty';
import { createLogger, type CreateLoggerOptions, type Logger } from '../logging/logger.js';
import { terminalLines } from './progress.js';

export function cliLogger(options: Omit<CreateLoggerOptions, 'destination'> = {}, stream: NodeJS.WriteStream = process.stderr): Logger {
  if (!stream.isTTY) return createLogger(options);
  const lines = terminalLines(stream);
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.write(chunk);
      callback();
    },
  });
  return createLogger({ ...options, destination: pretty({ destination, colorize: true, sync: true, ignore: 'pid,hostname', translateTime: 'HH:MM:ss' }) });
}
