/**
 * The dashboard's actions (with --allow-actions): cancel and resume run the `weft cancel` and
 * `weft resume` commands as child processes, so they behave exactly as on the command line. The
 * Redis URL goes by environment, never on a command line that `ps` shows.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export type RunAction = 'cancel' | 'resume';

const WEFT_BIN = fileURLToPath(new URL('../../bin/weft.js', import.meta.url));

export interface ActionTarget {
  readonly redisUrl: string;
  readonly prefix?: string;
}

/**
 * Starts the command and returns its pid. A resumed run is driven by that process, which holds
 * the run's lease: it is detached so that it outlives the dashboard, as a `weft resume` would.
 */
export function startRunAction(action: RunAction, runId: string, target: ActionTarget): number | undefined {
  const args = [WEFT_BIN, action, runId, ...(target.prefix ? ['--prefix', target.prefix] : []), ...(action === 'resume' ? ['--no-progress'] : [])];
  const child = spawn(process.execPath, args, {
    env: { ...process.env, REDIS_URL: target.redisUrl },
    stdio: 'ignore',
    detached: true,
  });
  child.on('error', () => {});
  child.unref();
  return child.pid;
}
