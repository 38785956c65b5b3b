/** A readable summary of a finished (or failed) run. */
import type { RunResult } from '../scheduler/run-types.js';
import { formatDuration } from '../util/duration.js';

export function formatSummary(result: RunResult): string {
  const lines = [
    `Run ${result.runId} of "${result.pipeline}": ${result.status} in ${formatDuration(result.durationMs)}${result.traceId ? ` (trace ${result.traceId})` : ''}`,
  ];
  for (const [id, r] of Object.entries(result.steps)) {
    const parts: string[] = [r.status];
    if (r.items === undefined) {
      if (r.attempts > 0) parts.push(`${r.attempts} attempt${r.attempts === 1 ? '' : 's'}`);
    } else {
      // A fan-out makes one attempt per item it runs: only attempts beyond those are news.
      parts.push(`${r.items} item${r.items === 1 ? '' : 's'}`);
      const retries = r.attempts - (r.items - r.answered);
      if (retries > 0) parts.push(`${retries} retr${retries === 1 ? 'y' : 'ies'}`);
    }
    if (r.answered > 0) parts.push(`${r.answered} answered from cache`);
    if (r.workers.length > 0) parts.push(`on ${[...new Set(r.workers)].join(', ')}`);
    if (r.reason) parts.push(r.reason);
    if (r.status !== 'skipped' && r.status !== 'pending') parts.push(formatDuration(r.durationMs));
    lines.push(`  ${id.padEnd(16)} ${parts.join(' · ')}${r.error ? `\n  ${' '.repeat(16)} ${r.error.code}: ${r.error.message}` : ''}`);
  }
  return lines.join('\n');
}
