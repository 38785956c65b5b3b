/** `weft dashboard`'s options, checked at the edge: a bad port, URL or an unguarded public bind is a WeftError with the fix. */
import { z } from 'zod';
import { WeftError } from '../errors.js';

export interface DashboardOptions {
  /** Redis URL of the fleet (redis:// or rediss://). */
  readonly redisUrl: string;
  /** Key and queue prefix. Default `{weft}`. */
  readonly prefix?: string;
  /** Default 4400; 0 picks a free port. */
  readonly port: number;
  /** Interface to bind. Default 127.0.0.1 (loopback only); any other needs `token`. */
  readonly host: string;
  /** Shared secret checked on every request and event stream (`Authorization: Bearer`, a cookie, or `?token=` once). */
  readonly token?: string;
  /** Cancel and resume buttons (POST endpoints). Default false: read-only. */
  readonly allowActions: boolean;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

const schema = z.object({
  redisUrl: z.string().refine((u) => /^rediss?:\/\/[^\s]+$/u.test(u), { message: 'must be a redis:// or rediss:// URL' }),
  prefix: z.string().min(1).optional(),
  port: z.coerce.number().int().min(0).max(65535),
  host: z.string().min(1),
  token: z.string().min(16).optional(),
  allowActions: z.boolean(),
});

export interface RawDashboardOptions {
  redis?: string | undefined;
  prefix?: string | undefined;
  port?: string | number | undefined;
  host?: string | undefined;
  token?: string | undefined;
  allowActions?: boolean | undefined;
}

const FIX: Record<string, string> = {
  redisUrl: 'pass --redis redis://host:6379 (or set REDIS_URL)',
  port: 'pass --port with a number from 1 to 65535 (0 picks a free port)',
  token: 'use a token of at least 16 characters, e.g. `openssl rand -hex 16`',
  host: 'pass --host 127.0.0.1 or an interface address',
  prefix: 'pass --prefix {weft} or leave it out',
};

export function parseDashboardOptions(raw: RawDashboardOptions, env: NodeJS.ProcessEnv = process.env): DashboardOptions {
  const token = raw.token ?? env['WEFT_DASHBOARD_TOKEN'];
  const parsed = schema.safeParse({
    redisUrl: raw.redis ?? env['REDIS_URL'] ?? '',
    ...(raw.prefix === undefined ? {} : { prefix: raw.prefix }),
    port: raw.port ?? 4400,
    host: raw.host ?? '127.0.0.1',
    ...(token === undefined || token === '' ? {} : { token }),
    allowActions: raw.allowActions === true,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = String(issue.path[0] ?? 'options');
    // Never echo a token or a URL (it may hold a password): name the field and the fix.
    throw new WeftError('WEFT_DASHBOARD_INVALID', `weft dashboard: --${flagOf(field)} ${issue.message}; ${FIX[field] ?? 'see weft dashboard --help'}.`, {
      retryable: false,
      details: { field },
    });
  }
  const o = parsed.data;
  if (!LOOPBACK.has(o.host) && o.token === undefined) {
    throw new WeftError(
      'WEFT_DASHBOARD_INVALID',
      `weft dashboard: listening on ${o.host} would show the fleet to anyone who can reach it. Pass --token (or set WEFT_DASHBOARD_TOKEN) with a secret of at least 16 characters, or keep --host 127.0.0.1.`,
      { retryable: false, details: { field: 'host' } },
    );
  }
  return o;
}

function flagOf(field: string): string {
  return field === 'redisUrl' ? 'redis' : field === 'allowActions' ? 'allow-actions' : field;
}
