/** What a process exports about its command line: credentials and --input data redacted, the rest kept. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { capturedLogger } from '../../../test-support/captured-logger.js';
import { redactAttributes, redactCommandArgs, redactCredentials } from '../src/tracing/redact.js';

describe('redaction for telemetry', () => {
  it('redacts credentials in URL-shaped arguments and --input values, keeping the rest', () => {
    const argv = [
      '/usr/bin/node',
      '--import',
      'tsx',
      'weft',
      'run',
      'p.yaml',
      '--redis',
      'redis://app:s3cret@h:6379/1',
      '--redis=rediss://:pw2@h:1',
      '--input',
      '{"k":"v"}',
      '--input={"x":1}',
      '-i{"y":2}',
      '--json',
    ];
    expect(redactCommandArgs(argv)).toEqual([
      '/usr/bin/node',
      '--import',
      'tsx',
      'weft',
      'run',
      'p.yaml',
      '--redis',
      'redis://app:***@h:6379/1',
      '--redis=rediss://:***@h:1',
      '--input',
      '***',
      '--input=***',
      '-i***',
      '--json',
    ]);
    expect(redactCredentials('failed: redis://:p@ss@host:notaport, retry')).toBe('failed: redis://:***@host:notaport, retry');
    expect(redactCredentials('no url here')).toBe('no url here');
  });

  it('redacts resource attributes from a detector, synchronous or not', async () => {
    const out = redactAttributes({
      'process.command_args': ['node', '--redis', 'redis://:pw@h'],
      'process.command': 'weft',
      'process.pid': 7,
      later: Promise.resolve('http://u:pw@h'),
    });
    expect(out['process.command_args']).toEqual(['node', '--redis', 'redis://:***@h']);
    expect(out['process.pid']).toBe(7);
    expect(await out.later).toBe('http://u:***@h');
  });

  it('never lets a password in a URL argument through (property, seeded)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('redis', 'rediss', 'http', 'https'),
        fc.string({ minLength: 0, maxLength: 8 }).filter((u) => !/[:@/\s"'`<>]/.test(u)),
        fc.stringMatching(/^[A-Za-z0-9._~!$&()*+,;=%-]{6,20}$/),
        fc.constantFrom('h', '127.0.0.1:6379', 'h:notaport', '[::1]:1/2'),
        (scheme, user, pw, host) => {
          const url = `${scheme}://${user}:${pw}@${host}`;
          const args = redactCommandArgs(['node', 'weft', '--redis', url, `--redis=${url}`]);
          for (const a of args) expect(a.includes(`:${pw}@`)).toBe(false);
        },
      ),
      { seed: 17, numRuns: 300 },
    );
  });

  it('never logs a password field, and logs a URL without its password', () => {
    const { logger, text } = capturedLogger();
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9]{6,24}$/), (tail) => {
        const pw = `pw${tail}`;
        const from = text().length;
        logger.info({ password: pw, redis: { password: pw, url: `redis://u:${pw}@cache.internal:6379/0` } }, 'connecting');
        logger.child({ task: 't1' }).warn({ url: `rediss://:${pw}@h:1`, redisUrl: `redis://x:${pw}@h:2` }, 'retrying');
        const out = text().slice(from);
        expect(out).not.toContain(pw);
        expect(out).toContain('cache.internal:6379');
      }),
      { seed: 23, numRuns: 100 },
    );
  });
});
