/**
 * Redaction of what a process exposes about itself (its command line) before it leaves in
 * telemetry: credentials in URL-shaped arguments, and `--input` data, never reach an exporter.
 * Kept free of SDK imports so any telemetry setup (ours, NodeSDK, an application's) can use it.
 */

/** What a redacted value is replaced by. */
export const REDACTED = '***';

/**
 * `scheme://user:secret@host` → `scheme://user:***@host`; `//token@host` → `//***@host`. Works on
 * text that is not a valid URL too (an unparseable port, a password with `/` in it): anything
 * between `//` and the last `@` before a space or quote is treated as credentials.
 */
export function redactCredentials(text: string): string {
  if (!text.includes('@') || !text.includes('//')) return text;
  return text.replace(/\/\/([^\s"'`<>]*)@/g, (_whole, userinfo: string) => {
    // A "user:password" keeps the user (helps to tell connections apart); a lone token is the secret.
    const colon = userinfo.indexOf(':');
    const user = colon >= 0 ? userinfo.slice(0, colon) : '';
    return colon >= 0 && !user.includes('/') ? `//${user}:${REDACTED}@` : `//${REDACTED}@`;
  });
}

/** Options whose value is data (pipeline input), not configuration: dropped whole. */
const DATA_OPTIONS = new Set(['--input', '-i']);

/**
 * A command line fit for export: credentials redacted in every argument, and the values of the
 * data options (`--input x`, `--input=x`, `-ix`) replaced by `***`.
 */
export function redactCommandArgs(args: readonly string[]): string[] {
  const out: string[] = [];
  let dropNext = false;
  for (const arg of args) {
    if (dropNext) {
      out.push(REDACTED);
      dropNext = false;
      continue;
    }
    if (DATA_OPTIONS.has(arg)) {
      out.push(arg);
      dropNext = true;
      continue;
    }
    const eq = arg.indexOf('=');
    if (eq > 0 && DATA_OPTIONS.has(arg.slice(0, eq))) {
      out.push(`${arg.slice(0, eq)}=${REDACTED}`);
      continue;
    }
    if (/^-i[^-]/.test(arg)) {
      out.push(`-i${REDACTED}`);
      continue;
    }
    out.push(redactCredentials(arg));
  }
  return out;
}

/**
 * Resource or span attributes fit for export: `process.command_args` through redactCommandArgs,
 * every other string (`process.command`, `process.command_line`, a URL) through redactCredentials.
 */
export function redactAttributes<T extends Record<string, unknown>>(attributes: T): T {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (key === 'process.command_args' && Array.isArray(value)) out[key] = redactCommandArgs(value.map(String));
    else if (key === 'process.command_line' && typeof value === 'string') out[key] = redactCommandArgs(value.split(' ')).join(' ');
    else if (typeof value === 'string') out[key] = redactCredentials(value);
    else if (Array.isArray(value)) out[key] = value.map((v: unknown) => (typeof v === 'string' ? redactCredentials(v) : v));
    // Detectors may answer asynchronously: redact the value once it arrives.
    else if (isThenable(value)) out[key] = Promise.resolve(value).then((v) => redactAttributes({ [key]: v })[key]);
    else out[key] = value;
  }
  return out as T;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/** The shape of an OpenTelemetry resource detector, without importing the SDK. */
export interface AttributeDetector<C = unknown> {
  detect(config?: C): { attributes?: Record<string, unknown> };
}

/**
 * A resource detector that redacts what `inner` detects: wrap the process detector with it
 * (`redactingDetector(processDetector)`) in any SDK setup.
 */
export function redactingDetector<D extends AttributeDetector>(inner: D): D {
  return {
    detect(config?: unknown) {
      const found = inner.detect(config);
      return found.attributes ? { ...found, attributes: redactAttributes(found.attributes) } : found;
    },
  } as D;
}
