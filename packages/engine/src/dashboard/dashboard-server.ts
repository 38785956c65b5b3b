/**
 * `weft dashboard`'s web server (fastify): the page and its assets, JSON views, one event stream
 * per page fed by the process's single FleetReader, Prometheus `/metrics`, and, only with
 * `allowActions`, cancel and resume.
 */
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { WeftError } from '../errors.js';
import type { FleetKeys } from '../fleet/fleet-keys.js';
import type { RedisClient } from '../fleet/redis-connection.js';
import type { Logger } from '../logging/logger.js';
import { presentedToken, tokenCookie, tokenMatches } from './access.js';
import type { DashboardOptions } from './dashboard-options.js';
import { FleetReader, type FleetReaderOptions, type ReaderEvent } from './fleet-reader.js';
import { startRunAction, type RunAction } from './run-actions.js';

const WEB_DIR = new URL('../../web/', import.meta.url);
const ASSETS: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'graph.js': 'text/javascript; charset=utf-8',
  'style.css': 'text/css; charset=utf-8',
};
const RUN_ID = /^[A-Za-z0-9._:-]{1,128}$/u;

export interface DashboardServerDeps {
  readonly redis: RedisClient;
  readonly keys: FleetKeys;
  readonly logger: Logger;
  /** Prometheus' handler from the process's telemetry, when it runs. */
  readonly metricsHandler?: (req: IncomingMessage, res: ServerResponse) => void;
  readonly reader?: FleetReaderOptions;
}

export interface DashboardServer {
  readonly url: string;
  readonly reader: FleetReader;
  close(): Promise<void>;
}

export async function startDashboardServer(options: DashboardOptions, deps: DashboardServerDeps): Promise<DashboardServer> {
  const { default: Fastify } = await import('fastify');
  const assets = new Map<string, Buffer>();
  for (const name of Object.keys(ASSETS)) assets.set(name, await readFile(new URL(name, WEB_DIR)));
  const reader = new FleetReader(deps.redis, deps.keys, deps.logger, deps.reader);
  // No request logging: a token may ride in a query string.
  const app: FastifyInstance = Fastify({ logger: false });
  const streams = new Set<ServerResponse>();

  app.addHook('onRequest', async (req, reply) => {
    void reply.header('X-Content-Type-Options', 'nosniff').header('X-Frame-Options', 'DENY').header('Referrer-Policy', 'no-referrer');
    if (options.token === undefined) return;
    const given = presentedToken(req.headers, req.query);
    if (!tokenMatches(options.token, given)) {
      await reply.code(401).header('WWW-Authenticate', 'Bearer').send({
        code: 'WEFT_DASHBOARD_UNAUTHORIZED',
        message: 'This dashboard needs its token: open it with ?token=<token> or send Authorization: Bearer <token>.',
      });
      return reply;
    }
    if ((req.query as { token?: unknown }).token !== undefined) void reply.header('Set-Cookie', tokenCookie(options.token, req.protocol === 'https'));
  });

  const asset = (name: string) => async (_req: FastifyRequest, reply: FastifyReply) => {
    const headers: Record<string, string> = { 'Content-Type': ASSETS[name]!, 'Cache-Control': 'no-cache' };
    if (name === 'index.html') headers['Content-Security-Policy'] = "default-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'";
    return reply.headers(headers).send(assets.get(name));
  };
  app.get('/', asset('index.html'));
  app.get('/runs/:runId', asset('index.html'));
  for (const name of Object.keys(ASSETS)) if (name !== 'index.html') app.get(`/${name}`, asset(name));

  app.get('/api/config', () => ({ prefix: deps.keys.prefix, allowActions: options.allowActions }));
  app.get('/api/snapshot', async () => reader.current());
  app.get('/api/runs/:runId', async (req, reply) => {
    const runId = checkedRunId(req);
    const graph = await reader.run(runId);
    if (!graph)
      return reply.code(404).send({ code: 'WEFT_RUN_NOT_FOUND', message: `No run ${runId} under prefix ${deps.keys.prefix} (its retention may have passed).` });
    return graph;
  });

  app.get('/events', (req, reply) => {
    const runId = (req.query as { run?: unknown }).run;
    const watch = typeof runId === 'string' && RUN_ID.test(runId) ? runId : undefined;
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    streams.add(res);
    const send = (event: string, json: string): boolean => res.write(`event: ${event}\ndata: ${json}\n\n`);
    for (const [section, json] of reader.sections()) send(section, json);
    const unsubscribe = reader.subscribe((e: ReaderEvent) => {
      if (e.kind === 'section') send(e.section, e.json);
      else if (e.runId === watch) send('run', e.json);
    }, watch);
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
    res.on('close', () => {
      clearInterval(keepAlive);
      unsubscribe();
      streams.delete(res);
    });
  });

  const action = (kind: RunAction) => async (req: FastifyRequest, reply: FastifyReply) => {
    if (!options.allowActions)
      return reply
        .code(403)
        .send({ code: 'WEFT_DASHBOARD_READ_ONLY', message: `This dashboard is read-only: start it with --allow-actions to ${kind} from the page.` });
    // A custom header a cross-site form cannot send: the browser's same-origin rule guards the action.
    if (req.headers['x-weft-action'] !== kind)
      return reply.code(400).send({ code: 'WEFT_DASHBOARD_BAD_ACTION', message: `Send the header X-Weft-Action: ${kind}.` });
    const runId = checkedRunId(req);
    const pid = startRunAction(kind, runId, { redisUrl: options.redisUrl, ...(options.prefix ? { prefix: options.prefix } : {}) });
    deps.logger.info({ action: kind, runId, pid }, 'dashboard action started');
    return reply.code(202).send({ accepted: true, action: kind, runId });
  };
  app.post('/api/runs/:runId/cancel', action('cancel'));
  app.post('/api/runs/:runId/resume', action('resume'));
  app.post('/api/dead-letters/:id/replay', action('replay'));

  app.get('/metrics', (req, reply) => {
    if (!deps.metricsHandler) {
      void reply
        .code(503)
        .type('text/plain')
        .send('Metrics are off: install @opentelemetry/sdk-node and @opentelemetry/exporter-prometheus beside @weft/engine.\n');
      return;
    }
    reply.hijack();
    deps.metricsHandler(req.raw, reply.raw);
  });

  app.setErrorHandler(async (err: Error & { statusCode?: number; code?: string }, _req, reply) => {
    if (err instanceof WeftError) return reply.code(400).send({ code: String(err.code), message: err.message });
    deps.logger.warn({ err: err.message }, 'dashboard request failed');
    return reply.code(err.statusCode ?? 500).send({ code: err.code ?? 'WEFT_DASHBOARD_ERROR', message: err.message });
  });

  const address = await app.listen({ port: options.port, host: options.host });
  return {
    url: address,
    reader,
    close: async () => {
      for (const res of streams) res.end();
      await reader.close();
      await app.close();
    },
  };
}

function checkedRunId(req: FastifyRequest): string {
  // A run id, or a dead letter's id: the same safe alphabet.
  const params = req.params as { runId?: string; id?: string };
  const runId = params.runId ?? params.id ?? '';
  if (!RUN_ID.test(runId))
    throw new WeftError('WEFT_DASHBOARD_INVALID', 'A run id is letters, digits and . _ : - (at most 128): copy it from the runs list.', { retryable: false });
  return runId;
}
