/** `weft dashboard`'s flags: a bad port, URL or token, or a public bind without a token, is a WeftError with the fix. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDashboardOptions } from '@weft/engine/dashboard';
import { runWeft } from '../fleet/fleet-harness.js';

const redis = 'redis://127.0.0.1:6399';
const codeOf = (f: () => unknown): unknown => {
  try {
    f();
  } catch (err) {
    return err;
  }
  return undefined;
};

describe('dashboard options', () => {
  it('defaults to loopback, port 4400, read-only', () => {
    expect(parseDashboardOptions({ redis }, {})).toEqual({ redisUrl: redis, port: 4400, host: '127.0.0.1', allowActions: false });
  });

  it('refuses a bad port, a bad URL and a short token with the fix', () => {
    for (const [raw, fix] of [
      [{ redis, port: '99999' }, '--port'],
      [{ redis, port: 'abc' }, '--port'],
      [{ redis: 'http://x' }, '--redis'],
      [{}, '--redis'],
      [{ redis, token: 'short' }, '--token'],
    ] as const) {
      const err = codeOf(() => parseDashboardOptions(raw, {}));
      expect(err, JSON.stringify(raw)).toMatchObject({ code: 'WEFT_DASHBOARD_INVALID', message: expect.stringContaining(fix) });
    }
  });

  it('refuses to listen beyond loopback without a token, and takes it from WEFT_DASHBOARD_TOKEN', () => {
    expect(codeOf(() => parseDashboardOptions({ redis, host: '0.0.0.0' }, {}))).toMatchObject({
      code: 'WEFT_DASHBOARD_INVALID',
      message: expect.stringContaining('--token'),
    });
    expect(parseDashboardOptions({ redis, host: '0.0.0.0' }, { WEFT_DASHBOARD_TOKEN: 'a'.repeat(16) }).token).toBe('a'.repeat(16));
  });

  it('never echoes a token or a Redis password in its message', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9A-Z]{6,15}$/u), fc.constantFrom('0.0.0.0', '10.1.2.3'), (token, host) => {
        const err = codeOf(() => parseDashboardOptions({ redis: 'redis://u:hunter2-secret@h:1', host, token }, {})) as Error;
        expect(err.message).not.toContain(token);
        expect(err.message).not.toContain('hunter2');
      }),
      { seed: 20, numRuns: 50 },
    );
  });

  it('weft dashboard with a bad flag prints one line and exits 2', async () => {
    const { code, stderr } = await runWeft(['dashboard', '--redis', redis, '--host', '0.0.0.0']);
    expect(code).toBe(2);
    expect(stderr).toContain('WEFT_DASHBOARD_INVALID');
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});
