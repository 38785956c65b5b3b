/** The README documents every span name, attribute key and error code the engine defines. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '@weft/engine';
import { Attr, MetricAttr, MetricNames, SpanNames } from '@weft/engine/tracing';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('engine README', () => {
  it('names every span', () => {
    expect(Object.values(SpanNames).filter((n) => !readme.includes(`\`${n}\``))).toEqual([]);
  });

  it('names every attribute key (in full or as a .suffix of a listed prefix)', () => {
    const missing = Object.values(Attr).filter((key) => {
      if (readme.includes(key)) return false;
      const suffix = key.slice(key.lastIndexOf('.'));
      return !readme.includes(`\`${suffix}\``);
    });
    expect(missing).toEqual([]);
  });

  it('documents every metric with its instrument, and every metric attribute key', () => {
    const rows = new Map([...readme.matchAll(/^\| `([a-z_.]+)` \| ([^|]+) \|/gm)].map((m) => [m[1]!, m[2]!.trim()]));
    expect(Object.values(MetricNames).filter((n) => !rows.has(n))).toEqual([]);
    expect(Object.values(MetricAttr).filter((k) => !readme.includes(`\`${k}\``))).toEqual([]);
  });

  it('lists every error code', () => {
    expect(Object.keys(ErrorCodes).filter((c) => !readme.includes(c))).toEqual([]);
  });
});
