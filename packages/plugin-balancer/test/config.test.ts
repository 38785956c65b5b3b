import { describe, expect, it } from 'vitest';
import { createEngine, isWeftError, type BalancingStrategy } from '@weft/engine';
import balancer, { isBalancerError, StrategyRegistry } from '@weft/plugin-balancer';
import { ConsistentHashStrategy, HybridStrategy, RoundRobinStrategy } from '@weft/plugin-balancer/strategies';

async function configError(config: unknown): Promise<Error & { code: string; cause?: unknown }> {
  const err = await createEngine({ plugins: [{ plugin: balancer, config }] }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(Error);
  return err as Error & { code: string };
}

describe('plugin configuration errors name the field', () => {
  it.each([
    [{ strategies: ['round-robin', 'fastest'] }, 'strategies[1]'],
    [{ strategies: [{ type: 'consistent-hash', options: { loadFactor: 0.5 } }] }, 'strategies[0].options.loadFactor'],
    [{ strategies: [{ type: 'hybrid', options: { weights: { speed: 1 } } }] }, 'strategies[0].options.weights'],
    [{ breaker: { failureThreshold: 0 } }, 'breaker.failureThreshold'],
    [{ bulkhead: { maxInFlight: 'two' } }, 'bulkhead.maxInFlight'],
    [{ byTaskType: { lint: 'nope' } }, 'byTaskType.lint'],
    [{ strategy: 'round-robin' }, 'strategy'],
    [{ breaker: { enabled: 'yes' } }, 'breaker.enabled'],
  ])('%j → %s', async (config, field) => {
    const err = await configError(config);
    expect(err.code).toBe('WEFT_PLUGIN_CONFIG_INVALID');
    expect(err.message).toContain(field);
    expect(err.message).toContain('@weft/plugin-balancer');
  });

  it('refuses two strategies under one name at setup, naming the entry', async () => {
    const err = await configError({ strategies: ['random', { type: 'random' }] });
    expect(err.code).toBe('WEFT_PLUGIN_SETUP_FAILED');
    expect(err.message).toContain('strategies[1]');
    expect(isBalancerError(err.cause, 'WEFT_BALANCER_STRATEGY_INVALID')).toBe(true);
  });

  it('registers every built-in by default and only the listed ones when given', async () => {
    const all = await createEngine({ plugins: [balancer] });
    const pipelineWith = (strategy: string) => ({ name: 'p', strategy, steps: [{ id: 'a', task: 'noop' }] });
    all.registerHandler('noop', async () => 1);
    for (const name of ['round-robin', 'weighted-round-robin', 'random', 'least-in-flight', 'least-latency', 'p2c', 'consistent-hash', 'hybrid']) {
      await expect(all.validate(pipelineWith(name))).resolves.toMatchObject({ strategy: name });
    }
    await all.close();
    const some = await createEngine({ plugins: [{ plugin: balancer, config: { strategies: ['p2c'] } }] });
    some.registerHandler('noop', async () => 1);
    const err = await some.validate(pipelineWith('hybrid')).catch((e: unknown) => e);
    expect(isWeftError(err)).toBe(true);
    await some.close();
  });
});

describe('strategy registry', () => {
  const registry = new StrategyRegistry();

  it('resolves a name, a class, an instance and { type, options }', () => {
    expect(registry.resolve('round-robin')).toBeInstanceOf(RoundRobinStrategy);
    expect(registry.resolve(HybridStrategy)).toBeInstanceOf(HybridStrategy);
    const mine = new RoundRobinStrategy({ name: 'mine' });
    expect(registry.resolve(mine)).toBe(mine);
    const ch = registry.resolve({ type: 'consistent-hash', options: { loadFactor: 2, name: 'sticky' } }) as ConsistentHashStrategy;
    expect(ch.name).toBe('sticky');
    expect(ch.loadFactor).toBe(2);
    expect(registry.resolve({ type: RoundRobinStrategy, options: { name: 'rr2' } }).name).toBe('rr2');
  });

  it('refuses an unknown name with a coded error listing the known ones', () => {
    let err: unknown;
    try {
      registry.resolve('fastest', 'routing.byTaskType.lint');
    } catch (e) {
      err = e;
    }
    expect(isBalancerError(err, 'WEFT_BALANCER_STRATEGY_UNKNOWN')).toBe(true);
    expect((err as Error).message).toMatch(/routing\.byTaskType\.lint: unknown balancing strategy "fastest".*round-robin/);
  });

  it('validates built-in options and names the field', () => {
    expect(() => registry.resolve({ type: 'consistent-hash', options: { virtualNodes: 0 } }, 'x')).toThrowError(/x\.options\.virtualNodes/);
  });

  it('accepts classes registered by name', () => {
    class Fixed implements BalancingStrategy {
      readonly name = 'fixed';
      select() {
        return { workerId: 'w0' };
      }
    }
    expect(new StrategyRegistry().register('fixed', Fixed).resolve('fixed')).toBeInstanceOf(Fixed);
  });
});
