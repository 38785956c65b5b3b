/**
 * Resolves a strategy from a name, a class, an instance or `{ type, options }` (as Moleculer's
 * strategy resolver), validating built-in options; an unknown name is refused with a coded error.
 */
import type { BalancingStrategy } from '@weft/engine';
import { strategyOptionSchemas } from '../config/strategy-options.js';
import { formatIssues } from '../config/format-issues.js';
import { BalancerError } from '../errors.js';
import { builtinStrategies, type BuiltinStrategyName } from './builtin.js';

/** A strategy class: constructed with its options object (or none). */
export type StrategyClass = new (options?: never) => BalancingStrategy;

export type StrategySpec =
  string | StrategyClass | BalancingStrategy | { readonly type: string | StrategyClass; readonly options?: Readonly<Record<string, unknown>> };

type Construct = new (options?: Readonly<Record<string, unknown>>) => BalancingStrategy;

export class StrategyRegistry {
  private readonly classes = new Map<string, StrategyClass>(Object.entries(builtinStrategies));

  /** Makes a strategy class available by name (for specs in configuration). */
  register(name: string, cls: StrategyClass): this {
    this.classes.set(name, cls);
    return this;
  }

  names(): string[] {
    return [...this.classes.keys()];
  }

  /** `path` names the place of the spec in configuration, for error messages. */
  resolve(spec: StrategySpec, path = 'strategy'): BalancingStrategy {
    if (typeof spec === 'string') return this.create(spec, undefined, path);
    if (typeof spec === 'function') return new (spec as unknown as Construct)();
    if (isStrategy(spec)) return spec;
    if (typeof spec === 'object' && spec !== null && 'type' in spec) {
      if (typeof spec.type === 'function') return new (spec.type as unknown as Construct)(spec.options);
      if (typeof spec.type === 'string') return this.create(spec.type, spec.options, path);
    }
    throw new BalancerError(
      'WEFT_BALANCER_STRATEGY_INVALID',
      `${path}: expected a strategy name, a class, an instance or { type, options }. Give one of: ${this.names().join(', ')}.`,
      {
        details: { path },
      },
    );
  }

  private create(name: string, options: Readonly<Record<string, unknown>> | undefined, path: string): BalancingStrategy {
    const cls = this.classes.get(name);
    if (!cls) {
      throw new BalancerError(
        'WEFT_BALANCER_STRATEGY_UNKNOWN',
        `${path}: unknown balancing strategy "${name}". Use one of: ${this.names().join(', ')}, or register the class first.`,
        {
          details: { path, strategy: name, known: this.names() },
        },
      );
    }
    const schema = strategyOptionSchemas[name as BuiltinStrategyName];
    if (schema && cls === builtinStrategies[name as BuiltinStrategyName]) {
      const parsed = schema.safeParse(options ?? {});
      if (!parsed.success) {
        const issues = formatIssues(parsed.error.issues, `${path}.options`);
        throw new BalancerError('WEFT_BALANCER_STRATEGY_INVALID', `Options of strategy "${name}" are invalid: ${issues.join('; ')}. Fix these fields.`, {
          details: { path, strategy: name, issues },
        });
      }
    }
    return new (cls as unknown as Construct)(options);
  }
}

function isStrategy(value: unknown): value is BalancingStrategy {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as BalancingStrategy).select === 'function' &&
    typeof (value as BalancingStrategy).name === 'string'
  );
}
