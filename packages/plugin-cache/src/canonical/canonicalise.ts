/**
 * The canonical form of a task: type + handler version + input with sorted keys, normalised by
 * the type's policy, split into an exact part (compared byte for byte) and a text part
 * (compared by similarity), with the hashes the tiers key on.
 */
import { createHash } from 'node:crypto';
import type { TypePolicy } from '../config.js';
import { guardSignature } from './guards.js';
import { stableJson } from './stable-json.js';
import { applySynonyms } from './words.js';

export interface CanonicalTask {
  readonly type: string;
  readonly handlerVersion: string;
  /** Hash of the whole canonical form: the exact tier's key. */
  readonly key: string;
  /**
   * Hash of everything a near match must share: type, version, the exact part (all but the
   * text fields, must-match fields included) and the literal guards of the text.
   */
  readonly partition: string;
  /** The text fields, lower-case, synonyms applied; empty when the task has none. */
  readonly text: string;
  /** The canonical input as stable JSON (for debugging and tests). */
  readonly json: string;
}

const TEXT_SLOT = '\u0000text';

function hash(...parts: string[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\u0000');
  return h.digest('base64url').slice(0, 24);
}

const under = (path: string, prefix: string): boolean => path === prefix || path.startsWith(`${prefix}.`);

/** Keeps the allowed paths (and their ancestors), drops ignored ones, normalises whitespace. */
function project(value: unknown, path: string, policy: TypePolicy): unknown {
  if (typeof value === 'string') {
    return policy.whitespace ? value.replace(/\s+/g, ' ').trim() : value;
  }
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => project(v, path, policy));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const p = path ? `${path}.${k}` : k;
    if (policy.ignore.some((i) => under(p, i))) continue;
    if (policy.fields && !policy.fields.some((f) => under(p, f) || under(f, p))) continue;
    if (v === undefined || typeof v === 'function') continue;
    out[k] = project(v, p, policy);
  }
  return out;
}

function isTextField(path: string, s: string, policy: TypePolicy): boolean {
  if (policy.threshold >= 1) return false;
  if (policy.mustMatch.some((m) => under(path, m))) return false;
  if (policy.textFields) return policy.textFields.some((t) => under(path, t));
  return /\s/.test(s);
}

/** Replaces text fields by a placeholder and collects them as [path, text]. */
function splitText(value: unknown, path: string, policy: TypePolicy, texts: [string, string][]): unknown {
  if (typeof value === 'string') {
    if (!isTextField(path, value, policy)) return value;
    texts.push([path, value]);
    return TEXT_SLOT;
  }
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v, i) => splitText(v, `${path}[${i}]`, policy, texts));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = splitText(v, path ? `${path}.${k}` : k, policy, texts);
  return out;
}

function lowerStrings(value: unknown): unknown {
  if (typeof value === 'string') return value.toLowerCase();
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(lowerStrings);
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, lowerStrings(v)]));
}

export function canonicalise(type: string, handlerVersion: string, input: unknown, policy: TypePolicy): CanonicalTask {
  const normal = project(input, '', policy);
  // Case folding happens after the split so that the guards still see camelCase identifiers.
  const fold = policy.caseInsensitive ? lowerStrings : (v: unknown): unknown => v;
  const json = stableJson(fold(normal));
  const key = hash(type, handlerVersion, json);
  const texts: [string, string][] = [];
  const exactPart = stableJson(fold(splitText(normal, '', policy, texts)));
  texts.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const raw = texts.map(([, t]) => (policy.whitespace ? t : t.replace(/\s+/g, ' ').trim())).join('\n');
  const guards = guardSignature(raw, policy.guards);
  return {
    type,
    handlerVersion,
    key,
    partition: hash(type, handlerVersion, exactPart, guards),
    text: applySynonyms(raw.toLowerCase(), policy.synonyms),
    json,
  };
}
