/** The one logger of the engine: pino, structured, with secrets redacted. */
import { pino, type Logger as PinoLogger, type LoggerOptions } from 'pino';
import { redactCredentials } from '../tracing/redact.js';

export type Logger = Pick<PinoLogger, 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'child' | 'level'>;

const REDACT_PATHS = ['password', '*.password', 'redis.password', 'redisUrl', '*.redisUrl', 'url', '*.url'];

export interface CreateLoggerOptions {
  /** Default `WEFT_LOG_LEVEL` or `warn`. */
  level?: string;
  /** File descriptor or stream to write to. Default stderr (2), so stdout stays for results. */
  destination?: number | NodeJS.WritableStream;
  name?: string;
}

export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const opts: LoggerOptions = {
    name: options.name ?? 'weft',
    level: options.level ?? process.env['WEFT_LOG_LEVEL'] ?? 'warn',
    redact: { paths: REDACT_PATHS, censor: redactValue },
  };
  const dest = options.destination ?? 2;
  return pino(opts, typeof dest === 'number' ? pino.destination({ fd: dest, sync: true }) : dest);
}

/** A password goes whole; a URL keeps everything but its password (pino gives the path as keys). */
function redactValue(value: unknown, path: string[]): unknown {
  if (path.at(-1) === 'password' || typeof value !== 'string') return '[redacted]';
  return redactUrl(value);
}

/**
 * `redis://user:secret@host:6379/0` → `redis://user:***@host:6379/0`. Text that is not a URL
 * (`redis://:pw@host:notaport`) loses anything between `//` and `@` instead.
 */
export function redactUrl(value: string): string {
  try {
    const u = new URL(value);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return redactCredentials(value);
  }
}

/** A logger that drops everything, for tests and library users who bring none. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
