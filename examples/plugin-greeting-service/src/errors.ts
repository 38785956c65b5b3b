/** The example's error codes, one table; messages name the thing, the place and the fix. */
export const GreetingErrorCodes = {
  ACME_GREETING_LANGUAGE_UNKNOWN: 'A greeting was asked for in a language the config does not list.',
  ACME_GREETING_SERVICE_MISSING: 'A plugin that needs the greeting service was loaded without it.',
} as const;

export type GreetingErrorCode = keyof typeof GreetingErrorCodes;

export class GreetingError<C extends GreetingErrorCode = GreetingErrorCode> extends Error {
  readonly code: C;
  readonly retryable = false;

  constructor(code: C, message: string) {
    super(message);
    this.name = 'GreetingError';
    this.code = code;
  }
}
