/** The plugin's configuration, validated at the edge with zod, and the per-task-type policy it resolves to. */
import { z } from 'zod';

const guardsSchema = z.strictObject({
  /** Numbers in text fields must match exactly (`line 10` never answers `line 12`). Default true. */
  numbers: z.boolean().optional(),
  /** Code identifiers and paths in text fields must match (`parseUser`, `src/a.ts`). Default true. */
  identifiers: z.boolean().optional(),
  /** The count of negations (`not`, `never`, `without`…) must match. Default true. */
  negation: z.boolean().optional(),
});

export const typePolicySchema = z.strictObject({
  /** Whether this task type is cached at all. Default true. */
  enabled: z.boolean().optional(),
  /** Time to live of an entry in ms; 0 keeps entries until evicted or invalidated. Default 24 h. */
  ttlMs: z.number().int().nonnegative().optional(),
  /** Cosine similarity a near neighbour needs to answer; 1 turns the similarity tier off. Default 0.75 (with `verify: 'none'` use 0.95 or more). */
  threshold: z.number().min(0).max(1).optional(),
  /** Collapse runs of whitespace and trim strings. Default true. */
  whitespace: z.boolean().optional(),
  /** Compare strings case-insensitively in the exact tier too (the similarity tier always is). Default false. */
  caseInsensitive: z.boolean().optional(),
  /** Allow-list of input paths (`a.b`) that make up the canonical form; others are ignored. Default all. */
  fields: z.array(z.string().min(1)).optional(),
  /** Input paths left out of the canonical form (request ids, timestamps). Default none. */
  ignore: z.array(z.string().min(1)).optional(),
  /** Paths compared exactly even when they hold prose, so `{repo: a}` never answers `{repo: b}`. Default none. */
  mustMatch: z.array(z.string().min(1)).optional(),
  /**
   * Paths whose strings are compared by similarity. Default: every string that contains
   * whitespace (prose); single-token strings, numbers and booleans are always compared exactly.
   */
  textFields: z.array(z.string().min(1)).optional(),
  /** Literal guards on text fields. */
  guards: guardsSchema.optional(),
  /**
   * `lexical`: a near hit also needs every content word on each side to have a counterpart on
   * the other (same stem, configured synonym, or a typo away). `none`: the threshold alone decides.
   * Default `lexical`.
   */
  verify: z.enum(['lexical', 'none']).optional(),
  /** Synonyms per canonical word (`{ fix: ['repair', 'correct'] }`), applied before comparing text. */
  synonyms: z.record(z.string(), z.array(z.string())).optional(),
});

export type TypePolicyInput = z.infer<typeof typePolicySchema>;

export const cacheConfigSchema = z.strictObject({
  /** Namespace of every key; caches in different namespaces never answer each other. Default `default`. */
  namespace: z.string().min(1).regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, dot, underscore or dash').optional(),
  /** Memory budget of the in-process tier in bytes (outputs, vectors, index links). Default 64 MiB. */
  memoryBudgetBytes: z.number().int().positive().optional(),
  /** The shared tier; `false` turns it off. Default on when a URL is known (fleet mode or `url`). */
  redis: z
    .union([
      z.literal(false),
      z.strictObject({
        /** Redis URL; default the engine's in fleet mode. */
        url: z.string().min(1).optional(),
        /** Prefix of every key. Default `weft:cache`. */
        keyPrefix: z.string().min(1).optional(),
        /** A Redis call slower than this counts as a miss. Default 250 ms. */
        commandTimeoutMs: z.number().int().positive().optional(),
        /** Entries kept in the shared feed other processes index from. Default 100,000. */
        feedMaxLen: z.number().int().positive().optional(),
      }),
    ])
    .optional(),
  /** Dimensions of the default offline embedder. Default 256. */
  dimensions: z.number().int().min(16).max(4096).optional(),
  /** Policy for every task type. */
  defaults: typePolicySchema.optional(),
  /** Policy per task type, merged over `defaults`. */
  types: z.record(z.string(), typePolicySchema).optional(),
});

export type CacheConfig = z.infer<typeof cacheConfigSchema>;

export interface Guards {
  readonly numbers: boolean;
  readonly identifiers: boolean;
  readonly negation: boolean;
}

/** A task type's policy with every default filled in. */
export interface TypePolicy {
  readonly enabled: boolean;
  readonly ttlMs: number;
  readonly threshold: number;
  readonly whitespace: boolean;
  readonly caseInsensitive: boolean;
  readonly fields: readonly string[] | undefined;
  readonly ignore: readonly string[];
  readonly mustMatch: readonly string[];
  readonly textFields: readonly string[] | undefined;
  readonly guards: Guards;
  readonly verify: 'lexical' | 'none';
  /** Variant → canonical word, built from `synonyms`. */
  readonly synonyms: ReadonlyMap<string, string>;
}

export const DEFAULT_TTL_MS = 24 * 60 * 60 * 1000;
export const DEFAULT_THRESHOLD = 0.75;
export const DEFAULT_BUDGET_BYTES = 64 * 1024 * 1024;

export function resolvePolicy(defaults: TypePolicyInput = {}, own: TypePolicyInput = {}): TypePolicy {
  const p = { ...defaults, ...own, guards: { ...defaults.guards, ...own.guards }, synonyms: { ...defaults.synonyms, ...own.synonyms } };
  const synonyms = new Map<string, string>();
  for (const [canonical, variants] of Object.entries(p.synonyms)) {
    for (const v of variants) synonyms.set(v.toLowerCase(), canonical.toLowerCase());
  }
  return {
    enabled: p.enabled ?? true,
    ttlMs: p.ttlMs ?? DEFAULT_TTL_MS,
    threshold: p.threshold ?? DEFAULT_THRESHOLD,
    whitespace: p.whitespace ?? true,
    caseInsensitive: p.caseInsensitive ?? false,
    fields: p.fields,
    ignore: p.ignore ?? [],
    mustMatch: p.mustMatch ?? [],
    textFields: p.textFields,
    guards: { numbers: p.guards.numbers ?? true, identifiers: p.guards.identifiers ?? true, negation: p.guards.negation ?? true },
    verify: p.verify ?? 'lexical',
    synonyms,
  };
}

/** Resolves and memoises the policy of each task type. */
export class PolicyBook {
  private readonly resolved = new Map<string, TypePolicy>();
  constructor(private readonly config: Pick<CacheConfig, 'defaults' | 'types'> = {}) {}

  of(type: string): TypePolicy {
    let p = this.resolved.get(type);
    if (!p) {
      p = resolvePolicy(this.config.defaults, this.config.types?.[type]);
      this.resolved.set(type, p);
    }
    return p;
  }
}
