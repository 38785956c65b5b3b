/**
 * The balancer's one table of error codes. Each code is a literal type so `err.code === '…'`
 * narrows; each message names the thing, the place and the fix.
 */
export const BalancerErrorCodes = {
  WEFT_BALANCER_STRATEGY_UNKNOWN: 'A strategy name is not one the balancer knows.',
  WEFT_BALANCER_STRATEGY_INVALID: 'A strategy spec is neither a name, a class nor { type, options }.',
  WEFT_BALANCER_NO_CANDIDATES: 'A strategy was asked to choose among no workers.',
  WEFT_BALANCER_SIM_CONFIG_INVALID: 'A simulation configuration cannot be run.',
  WEFT_BALANCER_SIM_ROUTE_INVALID: 'A simulated router chose a worker outside the candidates.',
} as const;

export type BalancerErrorCode = keyof typeof BalancerErrorCodes;

export interface BalancerErrorOptions {
  cause?: unknown;
  /** Structured details for programs: the field, the strategy name, the worker id… */
  details?: Record<string, unknown>;
}

/** Every error the balancer throws on purpose; never retryable (each is a programming or config fault). */
export class BalancerError<C extends BalancerErrorCode = BalancerErrorCode> extends Error {
  readonly code: C;
  readonly retryable = false;
  readonly details: Record<string, unknown>;

  constructor(code: C, message: string, options: BalancerErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BalancerError';
    this.code = code;
    this.details = options.details ?? {};
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, details: this.details };
  }
}

export function isBalancerError<C extends BalancerErrorCode>(err: unknown, code?: C): err is BalancerError<C> {
  return err instanceof BalancerError && (code === undefined || err.code === code);
}
