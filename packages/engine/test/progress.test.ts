/** The terminal progress bar counts forEach items, log lines go above it, and durations read as people read them. */
import { PassThrough } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { progressReporter, terminalLines } from '../src/cli/progress.js';
import { formatDuration } from '../src/util/duration.js';
import type { StepReport } from '../src/scheduler/run-types.js';

/** A terminal's stream as cli-progress sees it: a TTY with a width. */
function terminal(): { stream: NodeJS.WriteStream; text: () => string } {
  const s = new PassThrough();
  let out = '';
  s.on('data', (d: Buffer) => (out += d.toString()));
  Object.assign(s, { isTTY: true, columns: 160, cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
  // eslint-disable-next-line no-control-regex
  return { stream: s as unknown as NodeJS.WriteStream, text: () => out.replace(/\x1b(\[[0-9;?]*[A-Za-z]|[78])/gu, '') };
}

const report = (status: StepReport['status'], durationMs: number, items?: number): StepReport => ({
  status,
  attempts: items ?? 1,
  durationMs,
  workers: [],
  answered: 0,
  ...(items === undefined ? {} : { items }),
});

describe('progress', () => {
  it('counts each forEach item as a task, and keeps log lines above the bar', () => {
    const t = terminal();
    const p = progressReporter(t.stream, 2);
    p.onEvent({ type: 'step:start', stepId: 'list' });
    p.onEvent({ type: 'step:end', stepId: 'list', report: report('succeeded', 3.4) });
    p.onEvent({ type: 'step:start', stepId: 'each' });
    p.onEvent({ type: 'step:items', stepId: 'each', items: 200 });
    for (let i = 0; i < 37; i++) p.onEvent({ type: 'item:end', stepId: 'each', index: i, ok: true });
    terminalLines(t.stream).write('a log line\n');
    expect(t.text()).toContain('38/201 tasks | 1/2 steps | each: 37/200 items');
    expect(t.text()).toMatch(/a log line\n.*38\/201 tasks/u);
    p.onEvent({ type: 'step:end', stepId: 'each', report: report('failed', 61_234, 200) });
    p.stop();
    expect(t.text()).toContain('201/201 tasks | 2/2 steps | each failed in 1 min 1 s');
  });

  it('rounds durations', () => {
    expect([0.4, 412.6, 3456, 42_600, 125_000, 3_840_000].map(formatDuration)).toEqual(['0 ms', '413 ms', '3.5 s', '43 s', '2 min 5 s', '1 h 4 min']);
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1e9, noNaN: true }), (ms) => {
        expect(formatDuration(ms)).toMatch(/^\d+(\.\d)? (ms|s)$|^\d+ (min|h) \d+ (s|min)$/u);
      }),
      { seed: 7 },
    );
  });
});
