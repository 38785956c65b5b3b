/** Runs the package managers the way a user's shell would, with output kept for failure messages. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

// Settings a parent `pnpm run` exports would leak into the user's commands; a user's shell has none.
const LEAKED = /^(npm|pnpm)_config_(verify_deps_before_run|frozen_lockfile|user_agent)$/i;

export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!LEAKED.test(k)) env[k] = v;
  return { ...env, ...extra };
}

/**
 * How to start pnpm: the very pnpm running this test when there is one (CI starts it through
 * npx, so it need not be on PATH), else `pnpm` from PATH.
 */
export function pnpm(args: readonly string[]): [string, string[]] {
  const execPath = process.env['npm_execpath'];
  if (execPath && /pnpm\.(c?js|mjs)$/.test(execPath)) return [process.execPath, [execPath, ...args]];
  return ['pnpm', [...args]];
}

/** Runs a command; never throws on a non-zero exit (the caller asserts on `code`). */
export async function sh(cmd: string, args: readonly string[], cwd: string, timeoutMs = 60_000, env: Record<string, string> = {}): Promise<CommandResult> {
  try {
    const { stdout, stderr } = await execFileAsync(cmd, [...args], { cwd, env: cleanEnv(env), timeout: timeoutMs, maxBuffer: 32 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number | string; stdout?: string; stderr?: string; message: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? e.message };
  }
}

/** Like sh() but throws with the command's output when it fails. */
export async function mustRun(cmd: string, args: readonly string[], cwd: string, timeoutMs?: number, env?: Record<string, string>): Promise<CommandResult> {
  const result = await sh(cmd, args, cwd, timeoutMs, env);
  if (result.code !== 0) throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}) exited with ${result.code}:\n${result.stdout}\n${result.stderr}`);
  return result;
}
