/**
 * The canonical form of a task: type + handler version + input, every string in Unicode form
 * (NFKC, ASCII digits), object keys sorted, each declared field normalised by its kind and every
 * other field compared exactly. `text` fields are split out into the text part (the near tier);
 * the rest is the exact part. The hashes the tiers key on come from both.
 */
import { createHash } from 'node:crypto';
import type { TypePolicy } from '../config.js';
import type { FieldSpec } from '../fields/field-kind.js';
import { canonicalHeaders } from '../fields/headers-field.js';
import { canonicalNumber } from '../fields/number-field.js';
import { canonicalPath } from '../fields/path-field.js';
import { canonicalSql } from '../fields/sql-field.js';
import { unicodeForm } from '../fields/unicode.js';
import { canonicalUrl } from '../fields/url-field.js';
import { guardSignature } from './guards.js';
import { stableJson } from './stable-json.js';
import { applySynonyms } from './words.js';

export interface CanonicalTask {
  readonly type: string;
  readonly handlerVersion: string;
  /** Hash of the whole canonical form: the exact tier's key. */
  readonly key: string;
  /**
   * Hash of everything a near match must share: type, version, the exact part (every field but
   * the `text` ones) and the hard-negative signature of the text.
   */
  readonly partition: string;
  /** The `text` fields in Unicode form, whitespace collapsed, synonyms applied (case kept for the entity check); empty when none. */
  readonly text: string;
  /** The canonical input as stable JSON, text included (for debugging and tests). */
  readonly json: string;
}

/** Stands in for a text field in the exact part. */
const TEXT_SLOT = '\u0000text';

function hash(...parts: string[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\u0000');
  return h.digest('base64url').slice(0, 24);
}

const under = (path: string, prefix: string): boolean => path === prefix || path.startsWith(`${prefix}.`);
const collapse = (s: string): string => s.replace(/\s+/g, ' ').trim();
/** Tagged so that a normalised value never equals a raw value of another kind by accident. */
const tagged = (kind: string, value: string): string => `\u0000${kind}:${value}`;

class Walker {
  readonly texts: [string, string][] = [];
  constructor(private readonly policy: TypePolicy) {}

  /** Any value compared exactly: strings in Unicode form, keys sorted later by stableJson. */
  exact(value: unknown): unknown {
    if (typeof value === 'string') return unicodeForm(value);
    if (value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) return value.map((v) => this.exact(v));
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) if (v !== undefined && typeof v !== 'function') out[unicodeForm(k)] = this.exact(v);
    return out;
  }

  walk(value: unknown, path: string): unknown {
    const spec = path ? this.policy.fields.get(path) : undefined;
    if (spec) return this.field(value, spec, path);
    if (value === null || typeof value !== 'object') return this.exact(value);
    if (Array.isArray(value)) return value.map((v) => this.walk(v, path));
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (v === undefined || typeof v === 'function') continue;
      const p = path ? `${path}.${k}` : k;
      if (this.policy.ignore.some((i) => under(p, i))) continue;
      out[unicodeForm(k)] = this.walk(v, p);
    }
    return out;
  }

  private field(value: unknown, spec: FieldSpec, path: string): unknown {
    // Lists are transparent except to the kinds that read a list as a whole.
    if (Array.isArray(value) && spec.kind !== 'set' && spec.kind !== 'headers' && spec.kind !== 'exact') return value.map((v) => this.field(v, spec, path));
    switch (spec.kind) {
      case 'exact':
        return this.exact(value);
      case 'number': {
        const n = canonicalNumber(value, unicodeForm);
        return n === undefined ? this.exact(value) : n;
      }
      case 'set': {
        if (!Array.isArray(value)) return this.exact(value);
        const items = [...new Set(value.map((v) => stableJson(this.exact(v))))].sort();
        return tagged('set', `[${items.join(',')}]`);
      }
      case 'headers': {
        const h = canonicalHeaders(value, unicodeForm);
        return h === undefined ? this.exact(value) : { [tagged('headers', '')]: h };
      }
    }
    if (typeof value !== 'string') return this.exact(value);
    const s = unicodeForm(value);
    switch (spec.kind) {
      case 'enum':
        return tagged('enum', s.trim().toLowerCase());
      case 'url': {
        const u = canonicalUrl(s, spec.unordered);
        return u === undefined ? s : tagged('url', u);
      }
      case 'path':
        return tagged('path', canonicalPath(s));
      case 'sql':
        return tagged('sql', canonicalSql(s));
      case 'text': {
        this.texts.push([path, collapse(s)]);
        return TEXT_SLOT;
      }
    }
  }
}

export function canonicalise(type: string, handlerVersion: string, input: unknown, policy: TypePolicy): CanonicalTask {
  const walker = new Walker(policy);
  const exactPart = stableJson(walker.walk(input, ''));
  // Texts in the order met (keys sorted by stableJson only later): sort by path, stably.
  const texts = walker.texts.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const json = texts.length ? `${exactPart}\n${JSON.stringify(texts)}` : exactPart;
  const key = hash(type, handlerVersion, json);
  const raw = texts.map(([, t]) => t).join('\n');
  const guards = raw ? guardSignature(raw, policy.guards) : '';
  return {
    type,
    handlerVersion,
    key,
    partition: hash(type, handlerVersion, exactPart, guards),
    text: applySynonyms(raw, policy.synonyms),
    json,
  };
}
