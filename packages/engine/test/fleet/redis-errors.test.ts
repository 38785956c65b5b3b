/**
 * A Redis URL that is wrong in one way gets the error for that way, with the password redacted:
 * a wrong password, a database the server lacks, TLS asked of a plain server, and a URL that does
 * not parse. Against a real password-protected redis-server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WeftError } from '@weft/engine';
import { assertReachable } from '../../src/fleet/redis-connection.js';
import { redactUrl } from '../../src/logging/logger.js';
import { startRedis, type PrivateRedis } from '../../../../test-support/redis-server.js';

const PASSWORD = 'right-pw-5c2e';
let redis: PrivateRedis;

beforeAll(async () => {
  redis = await startRedis({ password: PASSWORD });
});
afterAll(() => redis?.stop());

async function failure(url: string, timeoutMs = 1_000): Promise<WeftError> {
  const err = await assertReachable(url, timeoutMs).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WeftError);
  return err as WeftError;
}

describe('Redis connection errors', () => {
  it('says that authentication failed, and how to fix the URL, for a wrong password', async () => {
    const err = await failure(`redis://:wrong-pw-91@127.0.0.1:${redis.port}`);
    expect(err.code).toBe('WEFT_REDIS_AUTH_FAILED');
    expect(err.message).toMatch(/Authentication failed/);
    expect(err.message).toContain('redis://[user]:password@host:port');
    expect(err.message).not.toMatch(/Start Redis there/);
    expect(err.message).not.toContain('wrong-pw-91');
  });

  it('says that authentication is needed when the URL has no password', async () => {
    const err = await failure(`redis://127.0.0.1:${redis.port}`);
    expect(err.code).toBe('WEFT_REDIS_AUTH_FAILED');
  });

  it('calls a database index out of range a configuration error', async () => {
    const err = await failure(`redis://:${PASSWORD}@127.0.0.1:${redis.port}/99`);
    expect(err.code).toBe('WEFT_CONFIG_INVALID');
    expect(err.message).toContain('selects database 99');
    expect(err.message).toContain('remove "/99"');
    expect(err.message).not.toContain(PASSWORD);
    // A database the server has is fine.
    await assertReachable(`redis://:${PASSWORD}@127.0.0.1:${redis.port}/3`, 1_000);
  });

  it('hints at TLS when rediss:// meets a server without TLS and the connection times out', async () => {
    const err = await failure(`rediss://:${PASSWORD}@127.0.0.1:${redis.port}`, 500);
    expect(err.code).toBe('WEFT_REDIS_UNAVAILABLE');
    expect(err.message).toMatch(/TLS/);
    expect(err.message).toContain('use redis://');
    expect(err.message).not.toContain(PASSWORD);
  });

  it('redacts the credentials of a URL that does not parse', async () => {
    const err = await failure(`redis://:${PASSWORD}@127.0.0.1:notaport`);
    expect(err.code).toBe('WEFT_CONFIG_INVALID');
    expect(err.message).toContain('redis://:***@127.0.0.1:notaport');
    expect(err.message).not.toContain(PASSWORD);
    expect(redactUrl('redis://user:pa/ss@host:x')).not.toContain('pa/ss');
    expect(redactUrl('redis://tok3n@host:x')).toBe('redis://***@host:x');
  });
});
