/**
 * Why a Redis connection check failed, told as the user's fix: a wrong password, a database the
 * server does not have, TLS asked of a server that does not speak it, an untrusted certificate,
 * or nobody there. Messages carry the redacted URL only.
 */
import { WeftError, errorMessage, type WeftErrorCode } from '../errors.js';
import { redactUrl } from '../logging/logger.js';

/** The check's error and the URL it used, turned into the error the user sees. */
export function redisFailure(failure: unknown, url: string, why: string): WeftError {
  const where = redactUrl(url);
  const { code, fix } = diagnose(failure, url);
  return new WeftError<WeftErrorCode>(
    code,
    `Redis at ${where} ${code === 'WEFT_REDIS_AUTH_FAILED' ? 'refused the credentials' : 'cannot be reached'} (${why}). ${fix}.`,
    {
      cause: new Error(why),
      retryable: false,
      details: { redis: where },
    },
  );
}

function diagnose(failure: unknown, url: string): { code: WeftErrorCode; fix: string } {
  const message = errorMessage(failure);
  if (/^(WRONGPASS|NOAUTH)\b|invalid password|invalid username-password/i.test(message)) {
    return {
      code: 'WEFT_REDIS_AUTH_FAILED',
      fix: 'Authentication failed: put the right user and password in the URL (redis://[user]:password@host:port, the password percent-encoded), as set by requirepass or an ACL user on the server',
    };
  }
  if (isCertificateError(failure)) {
    return {
      code: 'WEFT_REDIS_UNAVAILABLE',
      fix: "Trust the server's certificate authority (NODE_EXTRA_CA_CERTS=/path/to/ca.pem) and use a host name its certificate names",
    };
  }
  if (url.startsWith('rediss:') && /ETIMEDOUT|ECONNRESET|Connection is closed|wrong version number|packet length/i.test(message)) {
    return {
      code: 'WEFT_REDIS_UNAVAILABLE',
      fix: 'The URL asks for TLS (rediss://) and the server did not complete a TLS handshake: if it does not serve TLS on that port, use redis:// instead; otherwise check that Redis is running there',
    };
  }
  return { code: 'WEFT_REDIS_UNAVAILABLE', fix: 'Start Redis there, or pass the right URL with --redis or REDIS_URL' };
}

/** Node's TLS verification failures: ERR_TLS_CERT_ALTNAME_INVALID, SELF_SIGNED_CERT_IN_CHAIN, CERT_HAS_EXPIRED, … */
function isCertificateError(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)/.test(code);
}

/**
 * The database a URL selects, when the server lacks it: a configuration error (redis-server has
 * 16 databases, 0–15, unless `databases` says otherwise).
 */
export function databaseOutOfRange(url: string, db: number, why: string): WeftError {
  const where = redactUrl(url);
  return new WeftError(
    'WEFT_CONFIG_INVALID',
    `Redis URL ${where} selects database ${db}, which the server does not have (${why}). Use a database the server has (0–15 by default: raise "databases" in redis.conf for more), or remove "/${db}" to use database 0.`,
    {
      retryable: false,
      details: { redis: where, db },
    },
  );
}
