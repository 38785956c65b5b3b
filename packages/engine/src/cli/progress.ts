/** Live progress of a run on stderr: a bar on a terminal, one line per step otherwise. */
import cliProgress from 'cli-progress';
import type { RunEvent } from '../scheduler/run-types.js';

export function progressReporter(stream: NodeJS.WriteStream, totalSteps: number): { onEvent: (e: RunEvent) => void; stop: () => void } {
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      { stream, format: ' {bar} {value}/{total} steps | {status}', hideCursor: true, clearOnComplete: false },
      cliProgress.Presets.shades_classic,
    );
    bar.start(totalSteps, 0, { status: 'starting' });
    let done = 0;
    return {
      onEvent(e) {
        if (e.type === 'step:start') bar.update(done, { status: `running ${e.stepId}` });
        if (e.type === 'task:retry') bar.update(done, { status: `retrying ${e.stepId} (attempt ${e.attempt + 1} in ${e.delayMs} ms)` });
        if (e.type === 'step:end') bar.update(++done, { status: `${e.stepId} ${e.report.status}` });
      },
      stop: () => bar.stop(),
    };
  }
  return {
    onEvent(e) {
      if (e.type === 'step:end')
        stream.write(
          `  ${e.report.status.padEnd(9)} ${e.stepId}${e.report.workers.length ? ` on ${[...new Set(e.report.workers)].join(',')}` : ''}${e.report.reason ? ` (${e.report.reason})` : ''}\n`,
        );
      if (e.type === 'task:retry') stream.write(`  retrying  ${e.stepId}: ${e.error} (next attempt in ${e.delayMs} ms)\n`);
    },
    stop: () => {},
  };
}
