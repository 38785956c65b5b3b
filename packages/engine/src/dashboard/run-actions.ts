/**
 * The dashboard's actions (with --allow-actions): cancel, resume and replay run the `weft cancel`,
 * `weft resume` and `weft dlq replay` commands as child processes, so they behave exactly as on the command line. The
 * Redis URL goes by environment, never on a command line that `ps` shows.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export type RunAction = 'cancel' | 'resume' | 'replay';

const WEFT_BIN = fileURLToPath(new URL('../../bin/weft.js', import.meta.url));

export interface ActionTarget {
  readonly redisUrl: string;
  readonly prefix?: string;
}

/**
 * Starts the command for a run (or, to replay, a dead letter) and returns its pid. A resumed or replayed run is driven by that process, which holds
 * the run's lease: it is detached so that it outlives the dashboard, as a `weft resume` would.
 */
export function startRunAction(action: RunAction, id: string, target: ActionTarget): number | undefined {
  const command = action === 'replay' ? ['dlq', 'replay', id] : [action, id, ...(action === 'resume' ? ['--no-progress'] : [])];
  const args = [WEFT_BIN, ...command, ...(target.prefix ? ['--prefix', target.prefix] : [])];
  const child = spawn(process.execPath, args, {
    env: { ...process.env, REDIS_URL: target.redisUrl },
    stdio: 'ignore',
    detached: true,
  });
  child.on('error', () => {});
  child.unref();
  return child.pid;
}
