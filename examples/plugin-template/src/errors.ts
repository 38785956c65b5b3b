/**
 * The plugin's one table of error codes. Prefix the codes with your plugin's name so users can
 * tell whose error it is; each message names the thing, the place and the fix.
 */
export const TemplateErrorCodes = {
  ACME_TEMPLATE_NO_CANDIDATES: 'The most-reliable strategy was asked to choose among no workers.',
} as const;

export type TemplateErrorCode = keyof typeof TemplateErrorCodes;

export class TemplateError<C extends TemplateErrorCode = TemplateErrorCode> extends Error {
  readonly code: C;
  /** Every error here is a programming or configuration fault: another attempt cannot fix it. */
  readonly retryable = false;

  constructor(code: C, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TemplateError';
    this.code = code;
  }
}
