/**
 * The plugin's configuration, validated at the edge with zod, and the per-task-type policy it
 * resolves to. Caching is opt-in: a type is cached only when its handler declares `cache` or
 * `types` names it here; `defaults` fills in options of the types that are, and opts none in.
 */
import { z } from 'zod';
import type { CachePolicyDeclaration } from '@weft/engine/contracts';
import { fieldSpecSchema, kindsFromSchema, toFieldSpec, type FieldSpec } from './fields/field-kind.js';

const guardsSchema = z.strictObject({
  /** Numbers in text fields must match (`line 10` never answers `line 12`; every Unicode digit counts). Default true. */
  numbers: z.boolean().optional(),
  /** Code identifiers and paths in text fields must match (`parseUser`, `src/a.ts`). Default true. */
  identifiers: z.boolean().optional(),
  /** The count of negations (`not`, `never`, `without`, `n't`…) must match. Default true. */
  negation: z.boolean().optional(),
  /** Quoted strings must match, case and all. Default true. */
  quoted: z.boolean().optional(),
  /** Named entities (capitalised words not at a sentence start) must match, in order. Default true. */
  entities: z.boolean().optional(),
});

const optionsShape = {
  /** Time to live of an entry in ms; 0 keeps entries until evicted or invalidated. Default 24 h. */
  ttlMs: z.number().int().nonnegative().optional(),
  /** Cosine similarity a near neighbour of a `text` field needs to answer; 1 turns the near tier off. Default 0.75. */
  threshold: z.number().min(0).max(1).optional(),
  /** Hard-negative guards on `text` fields. */
  guards: guardsSchema.optional(),
  /**
   * `lexical`: a near hit also needs every content word on each side to have a counterpart on
   * the other (same stem, configured synonym, or a typo away). `none`: the threshold alone decides
   * (the guards still apply). Default `lexical`.
   */
  verify: z.enum(['lexical', 'none']).optional(),
  /** Synonyms per canonical word (`{ fix: ['repair', 'correct'] }`), applied to `text` fields before comparing. */
  synonyms: z.record(z.string(), z.array(z.string())).optional(),
};

/** Options every cached type gets unless its own policy says otherwise. Opts no type in. */
export const defaultsPolicySchema = z.strictObject(optionsShape);

export const typePolicySchema = z.strictObject({
  /** `false` keeps the type out of the cache even when its handler declares `cache`. Default true (naming a type opts it in). */
  enabled: z.boolean().optional(),
  ...optionsShape,
  /** How each input path (`a.b`; lists are transparent) compares. Fields not named compare `exact`. */
  fields: z.record(z.string().min(1), fieldSpecSchema).optional(),
  /** A JSON Schema of the input: `format: uri` implies `url`, `type: number|integer` implies `number`; `fields` win. */
  schema: z.record(z.string(), z.unknown()).optional(),
  /** Input paths left out of the key (request ids, timestamps). Default none. */
  ignore: z.array(z.string().min(1)).optional(),
});

export type TypePolicyInput = z.infer<typeof typePolicySchema>;

export const cacheConfigSchema = z.strictObject({
  /** Namespace of every key; caches in different namespaces never answer each other. Default `default`. */
  namespace: z
    .string()
    .min(1)
    .regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, dot, underscore or dash')
    .optional(),
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
  /** Options for every cached type (opts none in). */
  defaults: defaultsPolicySchema.optional(),
  /** The cached task types and their policies; naming a type opts it in. */
  types: z.record(z.string(), typePolicySchema).optional(),
});

export type CacheConfig = z.infer<typeof cacheConfigSchema>;

export interface Guards {
  readonly numbers: boolean;
  readonly identifiers: boolean;
  readonly negation: boolean;
  readonly quoted: boolean;
  readonly entities: boolean;
}

/** A cached task type's policy with every default filled in. */
export interface TypePolicy {
  readonly ttlMs: number;
  readonly threshold: number;
  /** Declared field kinds by path (schema-implied ones included). */
  readonly fields: ReadonlyMap<string, FieldSpec>;
  readonly ignore: readonly string[];
  readonly guards: Guards;
  readonly verify: 'lexical' | 'none';
  /** Variant → canonical word, built from `synonyms`. */
  readonly synonyms: ReadonlyMap<string, string>;
}

export const DEFAULT_TTL_MS = 24 * 60 * 60 * 1000;
export const DEFAULT_THRESHOLD = 0.75;
export const DEFAULT_BUDGET_BYTES = 64 * 1024 * 1024;

type Layer = Omit<TypePolicyInput, 'enabled'>;

/** Merges policy layers, later ones winning (defaults, then the handler's declaration, then the configuration's). */
export function resolvePolicy(...layers: readonly (Layer | undefined)[]): TypePolicy {
  const ls = layers.filter((l): l is Layer => l !== undefined);
  const p = ls.reduce<Layer>((acc, l) => ({ ...acc, ...l }), {});
  const fields = new Map<string, FieldSpec>();
  for (const l of ls) for (const [path, spec] of kindsFromSchema(l.schema)) fields.set(path, spec);
  for (const l of ls) for (const [path, spec] of Object.entries(l.fields ?? {})) fields.set(path, toFieldSpec(spec));
  const guards = ls.reduce<z.infer<typeof guardsSchema>>((acc, l) => ({ ...acc, ...l.guards }), {});
  const synonyms = new Map<string, string>();
  for (const l of ls) {
    for (const [canonical, variants] of Object.entries(l.synonyms ?? {})) for (const v of variants) synonyms.set(v.toLowerCase(), canonical.toLowerCase());
  }
  return {
    ttlMs: p.ttlMs ?? DEFAULT_TTL_MS,
    threshold: p.threshold ?? DEFAULT_THRESHOLD,
    fields,
    ignore: ls.flatMap((l) => l.ignore ?? []),
    guards: {
      numbers: guards.numbers ?? true,
      identifiers: guards.identifiers ?? true,
      negation: guards.negation ?? true,
      quoted: guards.quoted ?? true,
      entities: guards.entities ?? true,
    },
    verify: p.verify ?? 'lexical',
    synonyms,
  };
}

/** Why a type is not cached, for the log line and the tests. */
export type NotCached = 'not-opted-in' | 'disabled' | 'invalid-declaration';

/** Resolves and memoises the policy of each task type, with the handler's declaration when there is one. */
export class PolicyBook {
  private readonly plain = new Map<string, TypePolicy | NotCached>();
  private readonly declared = new WeakMap<CachePolicyDeclaration, Map<string, TypePolicy | NotCached>>();
  constructor(
    private readonly config: Pick<CacheConfig, 'defaults' | 'types'> = {},
    /** Called once per type and declaration whose declaration fails validation. */
    private readonly onInvalid: (type: string, problem: string) => void = () => {},
  ) {}

  /** Task types the configuration opts in. */
  configuredTypes(): string[] {
    return Object.entries(this.config.types ?? {})
      .filter(([, p]) => p.enabled !== false)
      .map(([t]) => t);
  }

  of(type: string, declaration?: CachePolicyDeclaration): TypePolicy | NotCached {
    const memo = declaration ? (this.declared.get(declaration) ?? new Map<string, TypePolicy | NotCached>()) : this.plain;
    if (declaration && !this.declared.has(declaration)) this.declared.set(declaration, memo);
    let p = memo.get(type);
    if (p === undefined) {
      p = this.resolve(type, declaration);
      memo.set(type, p);
    }
    return p;
  }

  private resolve(type: string, declaration?: CachePolicyDeclaration): TypePolicy | NotCached {
    const configured = this.config.types?.[type];
    if (configured?.enabled === false) return 'disabled';
    let own: TypePolicyInput | undefined;
    if (declaration) {
      const parsed = typePolicySchema.safeParse(declaration);
      if (!parsed.success) {
        this.onInvalid(type, z.prettifyError(parsed.error));
        return 'invalid-declaration';
      }
      own = parsed.data;
      if (own.enabled === false) return 'disabled';
    }
    if (!configured && !own) return 'not-opted-in';
    const strip = (l: TypePolicyInput | undefined): Layer | undefined => {
      if (!l) return undefined;
      const { enabled: _enabled, ...rest } = l;
      return rest;
    };
    return resolvePolicy(this.config.defaults, strip(own), strip(configured));
  }
}
