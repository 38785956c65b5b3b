/**
 * The sections plugins report with `ctx.reportStats`, collected on each fleet heartbeat. A report
 * that throws, is not a plain object, is not JSON or is too long is left out (and logged once per
 * plugin and kind), so one plugin's bad report never stops the heartbeat or bloats the record.
 */
import { WeftError, errorMessage } from '../errors.js';
import { silentLogger, type Logger } from '../logging/logger.js';
import type { PluginStatsSection } from '../contracts/plugin-stats.js';

/** A section's JSON may be at most this long; a bigger one is left out of the heartbeat (and logged once). */
export const PLUGIN_STATS_MAX_BYTES = 2048;
/** At most this many sections per process. */
export const PLUGIN_STATS_MAX_SECTIONS = 8;

const KIND = /^[a-z][a-z0-9-]{0,31}$/u;

interface Reporter {
  readonly plugin: string;
  readonly kind: string;
  readonly report: () => Readonly<Record<string, unknown>>;
}

export class PluginStats {
  private readonly reporters = new Set<Reporter>();
  /** `plugin\0kind` of reports already warned about. */
  private readonly warned = new Set<string>();

  constructor(private readonly logger: Logger = silentLogger()) {}

  /** Adds a reporter; returns its removal. */
  add(plugin: string, kind: string, report: () => Readonly<Record<string, unknown>>): () => void {
    if (!KIND.test(kind))
      throw new WeftError(
        'WEFT_PLUGIN_INVALID',
        `Plugin "${plugin}" reports stats of kind "${kind}": a kind is lowercase letters, digits and "-" (at most 32), e.g. "cache".`,
        { retryable: false, details: { plugin } },
      );
    const r: Reporter = { plugin, kind, report };
    this.reporters.add(r);
    return () => void this.reporters.delete(r);
  }

  get size(): number {
    return this.reporters.size;
  }

  /** Every reporter's section now, as plain JSON values; bad or oversized reports are left out. */
  collect(): PluginStatsSection[] {
    const sections: PluginStatsSection[] = [];
    for (const r of this.reporters) {
      if (sections.length >= PLUGIN_STATS_MAX_SECTIONS) {
        this.warnOnce(r, `more than ${PLUGIN_STATS_MAX_SECTIONS} stats reports in this process; the rest are left out`);
        break;
      }
      let json: string | undefined;
      try {
        const value = r.report();
        if (typeof value !== 'object' || value === null || Array.isArray(value)) {
          this.warnOnce(r, 'a stats report is not a plain object; it is left out');
          continue;
        }
        json = JSON.stringify(value);
      } catch (err) {
        this.warnOnce(r, `its stats report failed (${errorMessage(err)}); it is left out`);
        continue;
      }
      if (json.length > PLUGIN_STATS_MAX_BYTES) {
        this.warnOnce(r, `a stats report of ${json.length} characters is over the ${PLUGIN_STATS_MAX_BYTES} cap; it is left out`);
        continue;
      }
      sections.push({ plugin: r.plugin, kind: r.kind, stats: JSON.parse(json) as Record<string, unknown> });
    }
    return sections;
  }

  private warnOnce(r: Reporter, message: string): void {
    const key = `${r.plugin}\0${r.kind}`;
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.logger.warn({ plugin: r.plugin, kind: r.kind }, message);
  }
}
