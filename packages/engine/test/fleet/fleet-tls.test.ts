/**
 * A fleet over TLS (`rediss://`) with a password in the URL: a real redis-server serving TLS only,
 * a certificate from a throwaway CA, a `weft worker` and a `weft run` process trusting that CA
 * through NODE_EXTRA_CA_CERTS, as a user would. The password must never be printed.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisOptionsFromUrl } from '@weft/engine/fleet';
import { startRedis, startRedisCluster, type PrivateRedis } from '../../../../test-support/redis-server.js';
import { pluginPath, runWeft, spawnWorker, stopAll, waitFor } from './fleet-harness.js';

const PASSWORD = 'tls-s3cret-pw';

let dir: string;
let redis: PrivateRedis;
let ca: string;
let tlsFiles: ReturnType<typeof certificates>;

/** A CA, and a server certificate it signed for 127.0.0.1 and localhost. */
function certificates(into: string): { certFile: string; keyFile: string; caFile: string } {
  const f = (name: string): string => path.join(into, name);
  const openssl = (...args: string[]): void => void execFileSync('openssl', args, { stdio: 'pipe' });
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('ca.key'), '-out', f('ca.crt'), '-days', '2', '-subj', '/CN=weft-test-ca');
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('server.key'), '-out', f('server.csr'), '-subj', '/CN=localhost');
  writeFileSync(f('san.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl(
    'x509',
    '-req',
    '-in',
    f('server.csr'),
    '-CA',
    f('ca.crt'),
    '-CAkey',
    f('ca.key'),
    '-CAcreateserial',
    '-out',
    f('server.crt'),
    '-days',
    '2',
    '-extfile',
    f('san.cnf'),
  );
  return { certFile: f('server.crt'), keyFile: f('server.key'), caFile: f('ca.crt') };
}

const weft = runWeft;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'weft-tls-'));
  const tls = certificates(dir);
  tlsFiles = tls;
  ca = tls.caFile;
  redis = await startRedis({ password: PASSWORD, tls });
});

afterAll(async () => {
  await stopAll();
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('fleet over TLS', () => {
  it('reads TLS, user and password from a rediss:// URL', () => {
    expect(redisOptionsFromUrl('rediss://app:p%40ss@redis.example:6380/2')).toMatchObject({
      host: 'redis.example',
      port: 6380,
      username: 'app',
      password: 'p@ss',
      db: 2,
      tls: { servername: 'redis.example' },
    });
    // No SNI for an IP address (RFC 6066); the certificate is still checked against it.
    expect(redisOptionsFromUrl('rediss://127.0.0.1:6380').tls).toEqual({});
    expect(redisOptionsFromUrl('redis://[::1]:6379')).toMatchObject({ host: '::1' });
    expect(redisOptionsFromUrl('redis://127.0.0.1:6379').tls).toBeUndefined();
  });

  it('runs a pipeline across a worker over rediss:// and never prints the password', async () => {
    expect(redis.url.startsWith('rediss://')).toBe(true);
    const trust = { NODE_EXTRA_CA_CERTS: ca };
    const worker = spawnWorker({ id: 'w-tls', redisUrl: redis.url, env: trust });
    // This test process does not trust the CA: the worker's own log says it registered.
    await waitFor(`worker ready over TLS:\n${worker.output()}`, () => worker.output().includes('worker ready'));
    const file = path.join(dir, 'p.json');
    writeFileSync(
      file,
      JSON.stringify({
        name: 'tls',
        steps: [
          { id: 'a', task: 't.add', input: { a: 2, b: 3 } },
          { id: 'b', task: 't.double', dependsOn: ['a'], input: { n: { $ref: 'steps.a.output' } } },
        ],
      }),
    );
    const run = await weft(['run', file, '--redis', redis.url, '--plugins', pluginPath, '--json', '--no-progress'], trust);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as { status: string; outputs: Record<string, unknown>; steps: Record<string, { workers: string[] }> };
    expect(result.status).toBe('succeeded');
    expect(result.outputs).toEqual({ a: 5, b: 10 });
    expect(result.steps['b']!.workers).toEqual(['w-tls']);
    const status = await weft(['status', '--redis', redis.url, '--json'], trust);
    expect(status.code, status.stderr).toBe(0);
    expect((JSON.parse(status.stdout) as { workers: { id: string }[] }).workers.map((w) => w.id)).toContain('w-tls');
    for (const text of [run.stdout, run.stderr, status.stdout, status.stderr, worker.output()]) expect(text).not.toContain(PASSWORD);
  });

  it('fails fast on a certificate it does not trust, naming the redacted URL and the cause', async () => {
    const file = path.join(dir, 'one.json');
    writeFileSync(file, JSON.stringify({ name: 'one', steps: [{ id: 'a', task: 't.add', input: { a: 1, b: 1 } }] }));
    const run = await weft(['run', file, '--redis', redis.url, '--plugins', pluginPath, '--no-progress'], { NODE_EXTRA_CA_CERTS: '' });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('WEFT_REDIS_UNAVAILABLE');
    expect(run.stderr).toContain(`rediss://:***@127.0.0.1:${redis.port}`);
    expect(run.stderr).toMatch(/certificate/i);
    expect(run.stderr).toContain('NODE_EXTRA_CA_CERTS');
    expect(run.stderr + run.stdout).not.toContain(PASSWORD);
  });

  it('runs on a Redis Cluster over TLS (rediss://…?cluster=true), every node verified, the password never printed', async () => {
    const cluster = await startRedisCluster(3, { password: PASSWORD, tls: tlsFiles });
    try {
      expect(cluster.url).toMatch(/^rediss:\/\/.*\?cluster=true$/);
      const trust = { NODE_EXTRA_CA_CERTS: ca };
      const worker = spawnWorker({ id: 'w-tls-cluster', redisUrl: cluster.url, env: trust });
      await waitFor(`worker ready on the TLS cluster:\n${worker.output()}`, () => worker.output().includes('worker ready'));
      const file = path.join(dir, 'cluster.json');
      writeFileSync(
        file,
        JSON.stringify({
          name: 'tls-cluster',
          steps: [
            { id: 'a', task: 't.add', input: { a: 4, b: 5 } },
            { id: 'b', task: 't.double', dependsOn: ['a'], input: { n: { $ref: 'steps.a.output' } } },
          ],
        }),
      );
      const run = await weft(['run', file, '--redis', cluster.url, '--plugins', pluginPath, '--json', '--no-progress'], trust);
      expect(run.code, run.stderr).toBe(0);
      expect((JSON.parse(run.stdout) as { outputs: unknown }).outputs).toEqual({ a: 9, b: 18 });
      const status = await weft(['status', '--redis', cluster.url, '--json'], trust);
      expect(status.code, status.stderr).toBe(0);
      expect((JSON.parse(status.stdout) as { workers: { id: string }[] }).workers.map((w) => w.id)).toContain('w-tls-cluster');
      const untrusted = await weft(['status', '--redis', cluster.url], { NODE_EXTRA_CA_CERTS: '' });
      expect(untrusted.code).not.toBe(0);
      expect(untrusted.stderr).toContain('NODE_EXTRA_CA_CERTS');
      for (const text of [run.stdout, run.stderr, status.stdout, status.stderr, untrusted.stderr, worker.output()]) expect(text).not.toContain(PASSWORD);
    } finally {
      await stopAll();
      await cluster.stop();
    }
  });
});
