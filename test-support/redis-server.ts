/**
 * A private redis-server for one test file, on a free port, so test runs never collide with
 * each other or with a Redis the machine runs. Stopped (and its process reaped) by stop().
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface PrivateRedis {
  readonly port: number;
  readonly url: string;
  readonly process: ChildProcess;
  /** Stops the server (SIGTERM, then SIGKILL) and removes its directory. */
  stop(): Promise<void>;
  /** Kills the server abruptly, to test Redis going away. restart() brings it back on the same port. */
  kill(): Promise<void>;
  restart(): Promise<void>;
}

/** Whether a listener can bind 127.0.0.1:`port` right now. */
function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface StartRedisOptions {
  /** requirepass, to test authenticated URLs. */
  password?: string;
  /** Serve TLS only (no plain port), with these PEM files; the URL is then rediss://. */
  tls?: { certFile: string; keyFile: string; caFile: string };
  /** Append-only file on, fsync on every write: a kill and restart() keep what was written. */
  appendOnly?: boolean;
}

const INSTALL_HINT =
  'Install Redis (Debian: apt-get install redis-server; `.ci/run` does it where missing) so tests can start private servers, or set REDIS_URL to a Redis they may flush';

function onPath(command: string): boolean {
  return (process.env['PATH'] ?? '').split(path.delimiter).some((dir) => dir !== '' && existsSync(path.join(dir, command)));
}

/** Where a redis-server listens: `port` in clear, or TLS only on it (the clear port off), plus `tlsExtra` (the cluster bus). */
function listenArgs(port: number, tls: StartRedisOptions['tls'], tlsExtra: readonly string[] = []): string[] {
  if (!tls) return ['--port', String(port)];
  return [
    '--port',
    '0',
    '--tls-port',
    String(port),
    ...tlsExtra,
    '--tls-cert-file',
    tls.certFile,
    '--tls-key-file',
    tls.keyFile,
    '--tls-ca-cert-file',
    tls.caFile,
    '--tls-auth-clients',
    'no',
  ];
}

/**
 * A private redis-server when one can be started (always preferred: tests never collide), else
 * the Redis at REDIS_URL, one database per concurrent test worker, flushed first.
 */
export async function startRedis(options: StartRedisOptions = {}): Promise<PrivateRedis> {
  if (!onPath('redis-server')) {
    const shared = process.env['REDIS_URL'];
    if (!shared) throw new Error(`redis-server is not on PATH and REDIS_URL is unset. ${INSTALL_HINT}.`);
    return sharedRedis(shared, options);
  }
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'weft-redis-'));
  const listen = listenArgs(port, options.tls);
  const args = [
    ...listen,
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    options.appendOnly ? 'yes' : 'no',
    ...(options.appendOnly ? ['--appendfsync', 'always'] : []),
    '--dir',
    dir,
    '--loglevel',
    'warning',
  ];
  if (options.password) args.push('--requirepass', options.password);
  let proc = await launch(args, port);
  const auth = options.password ? `:${encodeURIComponent(options.password)}@` : '';
  const handle: PrivateRedis = {
    port,
    url: `${options.tls ? 'rediss' : 'redis'}://${auth}127.0.0.1:${port}`,
    get process() {
      return proc;
    },
    async stop() {
      await terminate(proc);
      rmSync(dir, { recursive: true, force: true });
    },
    async kill() {
      await terminate(proc, 'SIGKILL');
    },
    async restart() {
      proc = await launch(args, port);
    },
  };
  return handle;
}

async function sharedRedis(base: string, options: StartRedisOptions): Promise<PrivateRedis> {
  const needsPrivate = (what: string): Promise<never> =>
    Promise.reject(new Error(`This test ${what}, which needs a private redis-server, not REDIS_URL. ${INSTALL_HINT}.`));
  if (options.password) return needsPrivate('sets a Redis password');
  if (options.tls) return needsPrivate('serves Redis over TLS');
  const u = new URL(base);
  // Database 0 is left alone; concurrent test files get their own database each.
  u.pathname = `/${1 + (Number(process.env['VITEST_POOL_ID'] ?? '0') % 15)}`;
  const { Redis } = await import('ioredis');
  const client = new Redis(u.toString(), { lazyConnect: true, maxRetriesPerRequest: 1 });
  await client.connect();
  await client.flushdb();
  client.disconnect();
  return {
    port: Number(u.port || 6379),
    url: u.toString(),
    get process(): ChildProcess {
      throw new Error(`No redis-server process: the tests use REDIS_URL. ${INSTALL_HINT}.`);
    },
    stop: async () => {},
    kill: () => needsPrivate('stops Redis mid-run'),
    restart: () => needsPrivate('restarts Redis mid-run'),
  };
}

async function launch(args: string[], port: number): Promise<ChildProcess> {
  const proc = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  proc.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`redis-server exited (${proc.exitCode}) on port ${port}: ${output}`);
    if (await canConnect(port)) return proc;
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`redis-server did not listen on ${port} within 10 s: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    void import('node:net').then(({ connect }) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
  });
}

function terminate(proc: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => proc.kill('SIGKILL'), 3000);
    proc.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    proc.kill(signal);
  });
}

export interface PrivateRedisCluster {
  /** A seed node's URL with `?cluster=true`. */
  readonly url: string;
  /** The masters' ports, in slot order. */
  readonly ports: readonly number[];
  /** With `replicas`: the replicas' ports, the first `replicas` of master 0 first, and so on. */
  readonly replicaPorts: readonly number[];
  /** The port of the master that was given `key`'s hash slot at start (before any failover). */
  nodeFor(key: string): Promise<number>;
  /** Kills one node abruptly (its data is gone; its nodes.conf keeps its id and slots). */
  kill(port: number): Promise<void>;
  /** Starts a killed node again on its port; it rejoins the cluster from its nodes.conf. */
  restart(port: number): Promise<void>;
  stop(): Promise<void>;
}

export interface StartRedisClusterOptions extends Pick<StartRedisOptions, 'password' | 'tls'> {
  /**
   * Replicas per master (default 0). With replicas the nodes time out after 1 s instead of 15 s,
   * so a killed master's replica takes over within a few seconds.
   */
  replicas?: number;
}

/**
 * A private Redis Cluster of `nodes` masters on free ports, the 16,384 hash slots split evenly
 * between them, each with `replicas` replicas. Built with CLUSTER ADDSLOTS, MEET and REPLICATE,
 * so only redis-server is needed.
 */
export async function startRedisCluster(nodes = 3, options: StartRedisClusterOptions = {}): Promise<PrivateRedisCluster> {
  if (!onPath('redis-server')) throw new Error(`redis-server is not on PATH; a Redis Cluster test needs private servers. ${INSTALL_HINT}.`);
  const { Redis } = await import('ioredis');
  const servers: { port: number; dir: string; args: string[]; proc: ChildProcess }[] = [];
  // Node i serves slots [i × per, (i + 1) × per): nodeFor() reads the owner off the same split.
  const per = Math.ceil(16_384 / nodes);
  // Each node's cluster bus listens on its port + 10000 (redis-server 6 cannot choose it): take a
  // free port whose bus port is free too and below 65536, and never the same one twice.
  const taken = new Set<number>();
  const unusedPort = async (): Promise<number> => {
    for (;;) {
      const p = await freePort();
      if (p + 10_000 > 65_535 || taken.has(p) || taken.has(p + 10_000) || !(await canListen(p + 10_000))) continue;
      taken.add(p).add(p + 10_000);
      return p;
    }
  };
  const stop = async (): Promise<void> => {
    await Promise.all(servers.map((s) => terminate(s.proc)));
    for (const s of servers) rmSync(s.dir, { recursive: true, force: true });
  };
  const replicas = options.replicas ?? 0;
  // How the tests' own clients reach every node.
  const auth = { ...(options.password ? { password: options.password } : {}), ...(options.tls ? { tls: { ca: readFileSync(options.tls.caFile) } } : {}) };
  const total = nodes * (1 + replicas);
  try {
    for (let i = 0; i < total; i++) {
      const port = await unusedPort();
      const dir = mkdtempSync(path.join(tmpdir(), 'weft-redis-cluster-'));
      // With TLS the client port and the cluster bus both speak TLS only.
      const listen = listenArgs(port, options.tls, ['--tls-cluster', 'yes']);
      const args = [
        ...listen,
        '--bind',
        '127.0.0.1',
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        path.join(dir, 'nodes.conf'),
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        dir,
        '--loglevel',
        'warning',
      ];
      if (options.password) args.push('--requirepass', options.password, '--masterauth', options.password);
      if (replicas > 0) args.push('--cluster-node-timeout', '1000');
      servers.push({ port, dir, args, proc: await launch(args, port) });
    }
    const clients = servers.map((s) => new Redis({ host: '127.0.0.1', port: s.port, lazyConnect: true, maxRetriesPerRequest: 1, ...auth }));
    try {
      await Promise.all(clients.map((c) => c.connect()));
      await Promise.all(
        clients.slice(0, nodes).map((c, i) => {
          const slots = Array.from({ length: Math.min(per, 16_384 - i * per) }, (_, k) => i * per + k);
          return c.call('CLUSTER', 'ADDSLOTS', ...slots.map(String));
        }),
      );
      for (const s of servers.slice(1)) await clients[0]!.call('CLUSTER', 'MEET', '127.0.0.1', String(s.port));
      const ready = async (what: string, check: () => Promise<boolean>): Promise<void> => {
        const deadline = Date.now() + 15_000;
        while (!(await check())) {
          if (Date.now() > deadline) throw new Error(`Redis Cluster: ${what} within 15 s`);
          await new Promise((r) => setTimeout(r, 100));
        }
      };
      const infos = (): Promise<string[]> => Promise.all(clients.map((c) => c.call('CLUSTER', 'INFO') as Promise<string>));
      await ready('every node did not learn of every other', async () => (await infos()).every((info) => info.includes(`cluster_known_nodes:${total}`)));
      // Replica r of master i is server nodes + i × replicas + r.
      const masterIds = await Promise.all(clients.slice(0, nodes).map((c) => c.call('CLUSTER', 'MYID') as Promise<string>));
      for (let k = 0; k < nodes * replicas; k++) await clients[nodes + k]!.call('CLUSTER', 'REPLICATE', masterIds[Math.floor(k / replicas)]!);
      await ready('the slots were not all served', async () => (await infos()).every((info) => info.includes('cluster_state:ok')));
      await ready('the replicas did not sync', async () => {
        const roles = await Promise.all(clients.slice(nodes).map((c) => c.info('replication')));
        return roles.every((r) => r.includes('master_link_status:up'));
      });
    } finally {
      for (const c of clients) c.disconnect();
    }
  } catch (err) {
    await stop();
    throw err;
  }
  const ports = servers.slice(0, nodes).map((s) => s.port);
  const replicaPorts = servers.slice(nodes).map((s) => s.port);
  const server = (port: number): (typeof servers)[number] => {
    const found = servers.find((s) => s.port === port);
    if (!found) throw new Error(`No cluster node on port ${port}; the nodes are ${servers.map((x) => x.port).join(', ')}`);
    return found;
  };
  return {
    url: `${options.tls ? 'rediss' : 'redis'}://${options.password ? `:${encodeURIComponent(options.password)}@` : ''}127.0.0.1:${ports[0]}?cluster=true`,
    ports,
    replicaPorts,
    async nodeFor(key: string) {
      const c = new Redis({ host: '127.0.0.1', port: ports[0]!, lazyConnect: true, maxRetriesPerRequest: 1, ...auth });
      try {
        await c.connect();
        const slot = Number(await c.call('CLUSTER', 'KEYSLOT', key));
        return ports[Math.floor(slot / per)]!;
      } finally {
        c.disconnect();
      }
    },
    async kill(port: number) {
      await terminate(server(port).proc, 'SIGKILL');
    },
    async restart(port: number) {
      const s = server(port);
      s.proc = await launch(s.args, port);
    },
    stop,
  };
}
