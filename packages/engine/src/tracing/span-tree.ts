/** Renders finished spans as an indented tree, for the demo and for debugging without a backend. */
import type { AttributeValue, SpanContext } from '@opentelemetry/api';
import { Attr } from './attributes.js';

/** The parts of an SDK ReadableSpan the tree needs (structural, so the engine needs no SDK types). */
export interface SpanLike {
  readonly name: string;
  readonly attributes: Readonly<Record<string, AttributeValue>>;
  readonly duration: readonly [number, number];
  readonly startTime: readonly [number, number];
  spanContext(): SpanContext;
  readonly parentSpanContext?: SpanContext | undefined;
}

const SHOWN = [
  Attr.STEP_ID,
  Attr.TASK_ATTEMPT,
  Attr.TASK_WORKER,
  Attr.DECISION_STRATEGY,
  Attr.DECISION_CHOICE,
  Attr.DECISION_REASON,
  Attr.STEP_STATUS,
  Attr.TASK_OUTCOME,
  Attr.CACHE_HIT,
];

export function formatSpanTree(spans: readonly SpanLike[]): string {
  const byParent = new Map<string, SpanLike[]>();
  const ids = new Set(spans.map((s) => s.spanContext().spanId));
  for (const s of spans) {
    const parent = s.parentSpanContext?.spanId;
    const key = parent && ids.has(parent) ? parent : 'root';
    byParent.set(key, [...(byParent.get(key) ?? []), s]);
  }
  const start = (s: SpanLike): number => s.startTime[0] * 1e3 + s.startTime[1] / 1e6;
  const lines: string[] = [];
  const walk = (key: string, depth: number): void => {
    for (const s of [...(byParent.get(key) ?? [])].sort((a, b) => start(a) - start(b))) {
      const ms = s.duration[0] * 1e3 + s.duration[1] / 1e6;
      const attrs = SHOWN.filter((k) => s.attributes[k] !== undefined).map((k) => `${k.split('.').pop()}=${String(s.attributes[k])}`);
      lines.push(`${'  '.repeat(depth)}${s.name} ${ms.toFixed(2)}ms${attrs.length ? `  ${attrs.join(' ')}` : ''}`);
      walk(s.spanContext().spanId, depth + 1);
    }
  };
  walk('root', 0);
  return lines.join('\n');
}
