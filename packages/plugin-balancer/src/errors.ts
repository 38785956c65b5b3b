/**
 * The balancer's one table of error codes. Each code is a literal type so `err.code === '…'`
 * narrows; each message names the thing, the place and the fix.
 */
import { WeftError, type WeftErrorOptions } from '@weft/engine';

export const BalancerErrorCodes = {
  WEFT_BALANCER_STRATEGY_UNKNOWN: 'A strategy name is not one the balancer knows.',
  WEFT_BALANCER_STRATEGY_INVALID: 'A strategy spec is neither a name, a class nor { type, options }.',
  WEFT_BALANCER_NO_CANDIDATES: 'A strategy was asked to choose among no workers.',
  WEFT_BALANCER_SIM_CONFIG_INVALID: 'A simulation configuration cannot be run.',
  WEFT_BALANCER_SIM_ROUTE_INVALID: 'A simulated router chose a worker outside the candidates.',
} as const;

export type BalancerErrorCode = keyof typeof BalancerErrorCodes;

export type BalancerErrorOptions = Omit<WeftErrorOptions, 'retryable'>;

/** Every error the balancer throws on purpose; never retryable (each is a programming or config fault). */
export class BalancerError<C extends BalancerErrorCode = BalancerErrorCode> extends WeftError<C> {
  constructor(code: C, message: string, options: BalancerErrorOptions = {}) {
    super(code, message, { ...options, retryable: false });
    this.name = 'BalancerError';
  }
}

export function isBalancerError<C extends BalancerErrorCode>(err: unknown, code?: C): err is BalancerError<C> {
  return err instanceof BalancerError && (code === undefined || err.code === code);
}
