// `node examples/fleet/run.mjs`: a private Redis, three `weft worker` processes with different
// capabilities, one `weft run` across them, then `weft status`; everything is stopped at the end.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';

const here = path.dirname(fileURLToPath(import.meta.url));
const weft = fileURLToPath(new URL('../../packages/engine/bin/weft.js', import.meta.url));
const children = [];

function freePort() {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function start(cmd, args, name) {
  const child = spawn(cmd, args, { cwd: here, stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr.on('data', (d) => {
    for (const line of d.toString().split('\n').filter(Boolean)) {
      try {
        const l = JSON.parse(line);
        process.stderr.write(`  [${name}] ${l.msg}\n`);
      } catch {
        process.stderr.write(`  [${name}] ${line}\n`);
      }
    }
  });
  children.push(child);
  return child;
}

const port = await freePort();
const dir = mkdtempSync(path.join(tmpdir(), 'weft-fleet-example-'));
const redisUrl = `redis://127.0.0.1:${port}`;
start('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--loglevel', 'warning'], 'redis');

const workers = [
  { id: 'py-1', capabilities: 'lang:python' },
  { id: 'gpu-1', capabilities: 'gpu' },
  { id: 'general-1', capabilities: 'general' },
];
const redis = new Redis(redisUrl, { retryStrategy: () => 100 });
redis.on('error', () => {});
try {
  await redis.ping();
  console.log(`Redis on ${redisUrl}; starting ${workers.length} workers`);
  for (const w of workers)
    start(process.execPath, [weft, 'worker', '--redis', redisUrl, '--id', w.id, '--capabilities', w.capabilities, '--concurrency', '4'], w.id);
  for (let i = 0; (await redis.exists(...workers.map((w) => `{weft}:worker:${w.id}`))) < workers.length; i++) {
    if (i > 600) throw new Error('workers did not register within 60 s');
    await new Promise((r) => setTimeout(r, 100));
  }

  console.log('\n$ weft run pipeline.yaml --redis … --no-progress');
  const input = JSON.stringify({ files: ['app.py', 'models.py', 'views.py', 'tests/test_app.py', 'setup.py'] });
  execFileSync(process.execPath, [weft, 'run', 'pipeline.yaml', '--redis', redisUrl, '--input', input, '--no-progress'], { cwd: here, stdio: 'inherit' });

  console.log('\n$ weft status --redis …');
  execFileSync(process.execPath, [weft, 'status', '--redis', redisUrl, '--decisions', '8'], { cwd: here, stdio: 'inherit' });
} finally {
  redis.disconnect();
  // Workers first (SIGTERM drains them), then Redis.
  const stopping = children.slice(1).map((c) => new Promise((r) => (c.exitCode !== null ? r() : c.once('exit', r))));
  for (const c of children.slice(1)) c.kill('SIGTERM');
  await Promise.all(stopping);
  children[0].kill('SIGTERM');
  await new Promise((r) => (children[0].exitCode !== null ? r() : children[0].once('exit', r)));
  rmSync(dir, { recursive: true, force: true });
  console.log('\nStopped the workers and Redis.');
}
