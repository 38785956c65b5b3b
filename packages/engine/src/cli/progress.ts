/**
 * Live progress of a run on stderr: on a terminal, a bar that counts tasks (each forEach item is
 * one) and steps; elsewhere, one line per step. Log lines written while the bar shows go above it
 * (terminalLines), so they never break it.
 */
import cliProgress from 'cli-progress';
import type { RunEvent } from '../scheduler/run-types.js';
import { formatDuration } from '../util/duration.js';

let activeBar: cliProgress.SingleBar | undefined;

/** Writes whole lines to `stream` above the progress bar when one shows: clear its line, write, draw it again. */
export function terminalLines(stream: NodeJS.WriteStream): { write(chunk: string | Uint8Array): boolean } {
  return {
    write(chunk) {
      if (!activeBar) return stream.write(chunk);
      stream.write('\r\x1b[2K');
      const ok = stream.write(chunk);
      // render(true) redraws even when the bar's text did not change (the types omit the flag).
      (activeBar as unknown as { render(force: boolean): void }).render(true);
      return ok;
    },
  };
}

export function progressReporter(stream: NodeJS.WriteStream, totalSteps: number): { onEvent: (e: RunEvent) => void; stop: () => void } {
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      { stream, format: ' {bar} {value}/{total} tasks | {steps}/{totalSteps} steps | {status}', hideCursor: true, clearOnComplete: false },
      cliProgress.Presets.shades_classic,
    );
    // One unit per plain step; a forEach step counts as its items once it knows them.
    let total = totalSteps;
    let done = 0;
    let steps = 0;
    const items = new Map<string, { total: number; done: number }>();
    bar.start(total, 0, { status: 'starting', steps, totalSteps });
    activeBar = bar;
    const update = (status: string): void => bar.update(done, { status, steps });
    return {
      onEvent(e) {
        if (e.type === 'step:start') update(`running ${e.stepId}`);
        if (e.type === 'step:items') {
          items.set(e.stepId, { total: e.items, done: 0 });
          total += e.items - 1;
          bar.setTotal(total);
          update(`${e.stepId}: 0/${e.items} items`);
        }
        if (e.type === 'item:end') {
          const s = items.get(e.stepId);
          if (s) s.done++;
          done++;
          update(`${e.stepId}: ${s ? `${s.done}/${s.total}` : done} items`);
        }
        if (e.type === 'task:retry') update(`retrying ${e.stepId} (attempt ${e.attempt + 1} in ${formatDuration(e.delayMs)})`);
        if (e.type === 'step:end') {
          const s = items.get(e.stepId);
          // Items that never ran (the step failed or was cancelled) still leave the count complete.
          done += s ? s.total - s.done : 1;
          if (s) items.delete(e.stepId);
          steps++;
          update(`${e.stepId} ${e.report.status} in ${formatDuration(e.report.durationMs)}`);
        }
      },
      stop: () => {
        bar.stop();
        if (activeBar === bar) activeBar = undefined;
      },
    };
  }
  return {
    onEvent(e) {
      if (e.type === 'step:end') {
        const r = e.report;
        const items = r.items === undefined ? '' : ` (${r.items} item${r.items === 1 ? '' : 's'})`;
        const on = r.workers.length ? ` on ${[...new Set(r.workers)].join(',')}` : '';
        stream.write(`  ${r.status.padEnd(9)} ${e.stepId}${items} in ${formatDuration(r.durationMs)}${on}${r.reason ? ` (${r.reason})` : ''}\n`);
      }
      if (e.type === 'task:retry') stream.write(`  retrying  ${e.stepId}: ${e.error} (next attempt in ${formatDuration(e.delayMs)})\n`);
    },
    stop: () => {},
  };
}
