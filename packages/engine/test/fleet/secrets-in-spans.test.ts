/**
 * No secret leaves in telemetry: a password-protected private Redis, a real OTLP/HTTP receiver,
 * a `weft worker` and a `weft run --redis redis://:pw@… --input {secret}` process with tracing on.
 * Every payload the receiver got is searched for the password and the input's secret.
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type PrivateRedis } from '../../../../test-support/redis-server.js';
import { pluginPath, runWeft, spawnWorker, stopAll, waitFor, waitForWorkers } from './fleet-harness.js';

const PASSWORD = 'span-leak-pw-7f3a';
const INPUT_SECRET = 'input-secret-c41d';

let redis: PrivateRedis;
let receiver: Server;
let otlp: string;
let dir: string;
const payloads: Buffer[] = [];

beforeAll(async () => {
  redis = await startRedis({ password: PASSWORD });
  dir = mkdtempSync(path.join(tmpdir(), 'weft-secrets-'));
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      payloads.push(Buffer.concat(chunks));
      res.writeHead(200, { 'content-type': String(req.headers['content-type']) }).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  otlp = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await stopAll();
  await redis?.stop();
  await new Promise((r) => receiver?.close(r));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('secrets in exported spans', () => {
  it('exports spans from a runner and a worker that carry neither the Redis password nor --input data', async () => {
    // Protobuf (the default) stores strings verbatim, so a byte search finds any leak.
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: otlp, OTEL_BSP_SCHEDULE_DELAY: '100' };
    const worker = spawnWorker({ id: 'w-secret', redisUrl: redis.url, env: { ...env, OTEL_SERVICE_NAME: 'secret-worker' }, extra: ['--trace'] });
    await waitForWorkers(redis.url, ['w-secret'], [worker]);
    const file = path.join(dir, 'p.json');
    writeFileSync(
      file,
      JSON.stringify({
        name: 'secrets',
        steps: [
          { id: 'a', task: 't.add', input: { a: 2, b: 3 } },
          { id: 'b', task: 't.double', dependsOn: ['a'], input: { n: { $ref: 'steps.a.output' } } },
        ],
      }),
    );
    const run = await runWeft(
      ['run', file, '--redis', redis.url, '--plugins', pluginPath, '--input', JSON.stringify({ token: INPUT_SECRET }), '--json', '--no-progress', '--trace'],
      { ...env, OTEL_SERVICE_NAME: 'secret-runner' },
    );
    expect(run.code, run.stderr).toBe(0);
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    const all = (): Buffer => Buffer.concat(payloads);
    // Both processes exported: the test cannot pass on an empty receiver.
    await waitFor('spans from both processes', () => all().includes('secret-runner') && all().includes('secret-worker') && all().includes('weft.task.execute'));
    const body = all();
    // The command line is exported, redacted.
    expect(body.includes('process.command_args')).toBe(true);
    expect(body.includes(`redis://:***@127.0.0.1:${redis.port}`)).toBe(true);
    expect(body.includes(PASSWORD), 'the Redis password reached an exported span').toBe(false);
    expect(body.includes(INPUT_SECRET), '--input data reached an exported span').toBe(false);
    expect(body.includes(encodeURIComponent(PASSWORD))).toBe(false);
    for (const text of [run.stdout, run.stderr, worker.output()]) expect(text).not.toContain(PASSWORD);
  }, 120_000);
});
