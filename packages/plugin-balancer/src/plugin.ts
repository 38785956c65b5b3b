/** The plugin: registers the strategies, the breaker and bulkhead guards, and the decision counters. */
import type { Tracer } from '@opentelemetry/api';
import { definePlugin, isRetryable, type BalancingStrategy, type PluginContext, type TaskOutcome } from '@weft/engine';
import { MeterProviderToken, TracerToken } from '@weft/engine/contracts';
import { BalancerAttr, BalancerSpanNames } from './attributes.js';
import { balancerConfigSchema, type BalancerConfig, type BreakerConfig } from './config/balancer-config.js';
import type { StrategySpecConfig } from './config/strategy-options.js';
import { BalancerError } from './errors.js';
import { Bulkhead } from './guards/bulkhead.js';
import { breakerMetrics } from './guards/breaker-metrics.js';
import { CircuitBreaker, type BreakerTransition } from './guards/circuit-breaker.js';
import { BalancerStatsToken, DecisionCounters } from './stats/balancer-stats.js';
import { BUILTIN_STRATEGY_NAMES } from './strategies/builtin.js';
import type { ObservingStrategy } from './strategies/observing-strategy.js';
import { StrategyRegistry } from './strategies/strategy-registry.js';
import { TaskTypeRouter } from './strategies/task-type-router.js';

export const PLUGIN_NAME = '@weft/plugin-balancer';

export default definePlugin<BalancerConfig>({
  name: PLUGIN_NAME,
  version: '0.1.0',
  engine: '^0.1.0',
  configSchema: balancerConfigSchema,
  setup(ctx) {
    const strategies = registerStrategies(ctx);
    feedObservers(ctx, strategies);
    const { breaker: breakerConfig, bulkhead: bulkheadConfig } = ctx.config;
    const breaker = breakerConfig?.enabled === false ? undefined : setupBreaker(ctx, breakerConfig ?? {});
    const bulkhead = bulkheadConfig && bulkheadConfig.enabled !== false ? setupBulkhead(ctx, new Bulkhead(bulkheadConfig)) : undefined;
    const stats = new DecisionCounters({
      ...(breaker ? { breakerState: (id: string) => breaker.state(id) } : {}),
      ...(bulkhead ? { bulkheadInFlight: (id: string) => bulkhead.inFlight(id) } : {}),
    });
    ctx.on('route:after', ({ decision }) => stats.record(decision));
    ctx.provide(BalancerStatsToken, stats);
    ctx.logger.debug({ strategies: strategies.map((s) => s.name), breaker: !!breaker, bulkhead: !!bulkhead }, 'balancer ready');
  },
});

function registerStrategies(ctx: PluginContext<BalancerConfig>): BalancingStrategy[] {
  const registry = new StrategyRegistry();
  const byName = new Map<string, BalancingStrategy>();
  const add = (s: BalancingStrategy, path: string): void => {
    if (byName.has(s.name)) {
      throw new BalancerError(
        'WEFT_BALANCER_STRATEGY_INVALID',
        `${path}: a strategy named "${s.name}" is already registered. Give this one another options.name.`,
        { details: { path, strategy: s.name } },
      );
    }
    byName.set(s.name, s);
    ctx.registerStrategy(s);
  };
  const specs: readonly StrategySpecConfig[] = ctx.config.strategies ?? BUILTIN_STRATEGY_NAMES;
  specs.forEach((spec, i) => add(registry.resolve(spec, `strategies[${i}]`), `strategies[${i}]`));
  const { byTaskType } = ctx.config;
  if (byTaskType) {
    // A plain name reuses the registered instance, so its state (a round-robin turn) is shared.
    const pick = (spec: StrategySpecConfig, path: string): BalancingStrategy => (typeof spec === 'string' && byName.get(spec)) || registry.resolve(spec, path);
    const routes = new Map(Object.entries(byTaskType).map(([type, spec]) => [type, pick(spec, `byTaskType.${type}`)]));
    add(new TaskTypeRouter(routes, pick(ctx.config.defaultStrategy ?? 'least-in-flight', 'defaultStrategy')), 'byTaskType');
  }
  return [...byName.values()];
}

function feedObservers(ctx: PluginContext<BalancerConfig>, strategies: readonly BalancingStrategy[]): void {
  const observers = strategies.filter(
    (s): s is ObservingStrategy & { observe(o: TaskOutcome): void } => typeof (s as ObservingStrategy).observe === 'function',
  );
  if (observers.length === 0) return;
  const feed = (o: TaskOutcome): void => {
    if (o.shortCircuited || o.workerId === '') return;
    for (const s of observers) s.observe(o);
  };
  ctx.on('task:after', feed);
  ctx.on('task:error', feed);
}

function setupBreaker(ctx: PluginContext<BalancerConfig>, config: BreakerConfig): CircuitBreaker {
  const tracer = ctx.resolve<Tracer>(TracerToken);
  const { enabled: _enabled, ...options } = config;
  const counted = breakerMetrics(ctx.resolve(MeterProviderToken), () => breaker);
  const breaker: CircuitBreaker = new CircuitBreaker({
    ...options,
    onTransition: (t) => {
      recordTransition(tracer, t, breaker);
      counted.transition(t);
      ctx.logger[t.to === 'open' ? 'warn' : 'info'](
        { worker: t.workerId, from: t.from, to: t.to, failures: t.failures, requests: t.requests },
        `circuit breaker ${t.to}: ${t.reason}`,
      );
    },
  });
  ctx.registerGuard(breaker);
  ctx.on('route:after', ({ decision }) => breaker.routed(decision.workerId));
  ctx.on('task:after', (o) => {
    if (!o.shortCircuited && o.workerId !== '') breaker.record(o.workerId, true);
  });
  // Errors another attempt cannot fix (bad input) are the task's fault, not the worker's.
  ctx.on('task:error', (o) => {
    if (o.workerId !== '' && isRetryable(o.error)) breaker.record(o.workerId, false);
  });
  return breaker;
}

function recordTransition(tracer: Tracer, t: BreakerTransition, breaker: CircuitBreaker): void {
  const span = tracer.startSpan(BalancerSpanNames.BREAKER, {
    attributes: {
      [BalancerAttr.STRATEGY]: breaker.name,
      [BalancerAttr.WORKER]: t.workerId,
      [BalancerAttr.CHOICE]: t.to,
      [BalancerAttr.REASON]: t.reason,
      [BalancerAttr.BREAKER_FROM]: t.from,
      [BalancerAttr.BREAKER_TO]: t.to,
      [BalancerAttr.BREAKER_FAILURES]: t.failures,
      [BalancerAttr.BREAKER_REQUESTS]: t.requests,
      [BalancerAttr.BREAKER_FAILURE_RATE]: t.failureRate,
      [BalancerAttr.BREAKER_WINDOW_MS]: breaker.options.windowMs,
      [BalancerAttr.BREAKER_COOLDOWN_MS]: breaker.options.cooldownMs,
    },
  });
  span.end();
}

function setupBulkhead(ctx: PluginContext<BalancerConfig>, bulkhead: Bulkhead): Bulkhead {
  ctx.registerGuard(bulkhead);
  ctx.on('route:after', ({ task, decision }) => bulkhead.acquire(task, decision.workerId));
  ctx.on('task:after', (o) => bulkhead.release(o.task));
  ctx.on('task:error', (o) => bulkhead.release(o.task));
  ctx.on('pipeline:end', (e) => bulkhead.releaseRun(e.runId));
  ctx.onClose(() => bulkhead.close());
  return bulkhead;
}
