/**
 * Seeded workload generator for the cache evaluation: base tasks, labelled true duplicates
 * (reordered keys, whitespace and case, paraphrases, typos) and labelled near-misses that must
 * not hit (other must-match value, number, identifier, negation, a replaced or dropped word,
 * a structured field). Every task carries the id of its meaning: a hit is correct when the
 * entry that answered has the same meaning as the query.
 */
import { seededRandom } from '@weft/engine';
import type { CacheConfig } from '@weft/plugin-cache';

export interface WorkTask {
  readonly type: string;
  readonly input: Record<string, unknown>;
  /** Tasks with one meaning have one correct output. */
  readonly meaning: number;
  /** `base`, `dup:<how>`, `near:<how>` or `fresh`. */
  readonly label: string;
}

/** The policy a user would write for these task types (must-match fields, synonyms of their domain). */
export const WORKLOAD_POLICIES: Pick<CacheConfig, 'defaults' | 'types'> = {
  defaults: {
    caseInsensitive: false,
    synonyms: { fix: ['repair', 'correct'], remove: ['delete'], explain: ['describe'], update: ['refresh'] },
  },
  types: {
    'llm.summarise': { mustMatch: ['repo'] },
    'search.code': { mustMatch: ['repo'] },
    'ticket.triage': { mustMatch: ['project'] },
    'lsp.hover': { threshold: 1 },
  },
};

const VERBS = ['fix', 'update', 'refactor', 'document', 'test', 'optimise', 'rename', 'remove', 'review', 'explain', 'migrate', 'validate', 'format', 'simplify', 'profile', 'audit'];
const VERB_SWAP: Record<string, string> = { fix: 'break', update: 'freeze', refactor: 'rewrite', document: 'hide', test: 'skip', optimise: 'slow', rename: 'copy', remove: 'restore', review: 'approve', explain: 'question', migrate: 'rollback', validate: 'ignore', format: 'minify', simplify: 'extend', profile: 'trace', audit: 'bypass' };
const ADJ = ['login', 'session', 'payment', 'retry', 'config', 'search', 'upload', 'billing', 'export', 'import', 'cache', 'queue', 'email', 'report', 'audit', 'sync', 'webhook', 'metrics', 'invoice', 'profile', 'password', 'token', 'scheduler', 'backup'];
const NOUN = ['handler', 'module', 'service', 'loader', 'parser', 'client', 'worker', 'endpoint', 'middleware', 'controller', 'schema', 'pipeline', 'adapter', 'validator', 'resolver', 'serializer'];
const QUAL = [
  'in the api layer', 'for the mobile app', 'before the release', 'with clearer error messages', 'using async iterators', 'for the admin dashboard',
  'behind the feature flag', 'across all regions', 'on the staging cluster', 'with structured logging', 'for the public docs', 'under heavy load',
  'in the legacy code', 'for offline mode', 'with stricter types', 'inside the batch job',
];
const QUAL_SWAP: Record<string, string> = { api: 'cli', mobile: 'desktop', before: 'after', clearer: 'vaguer', async: 'sync', admin: 'guest', all: 'some', staging: 'production', structured: 'plain', public: 'internal', heavy: 'light', legacy: 'modern', offline: 'online', stricter: 'looser', batch: 'stream', feature: 'kill' };
const IDENTS = ['parseUser', 'loadConfig', 'retry_policy', 'src/auth/login.ts', 'lib/cache.go', 'handleRequest', 'user_id', 'api/v2/orders', 'OrderService', 'flushQueue'];
const FILLERS = ['please', 'could you', 'kindly', 'can you', 'please just', 'I need you to'];
const REPOS = ['weft', 'atlas', 'orbit', 'nimbus', 'quartz', 'delta', 'ember', 'harbor'];
const SYN: Record<string, string[]> = { fix: ['repair', 'correct'], remove: ['delete'], explain: ['describe'], update: ['refresh'] };
const INFLECT: Record<string, string> = { fix: 'fixing', update: 'updating', refactor: 'refactoring', document: 'documenting', test: 'testing', rename: 'renaming', remove: 'removing', review: 'reviewing', explain: 'explaining', migrate: 'migrating', validate: 'validating', format: 'formatting', simplify: 'simplifying', profile: 'profiling', audit: 'auditing', optimise: 'optimising' };

/** A phrase as structured parts, so transforms know what they touch. */
interface Prose {
  clauses: { verb: string; adj: string; noun: string; qual?: string }[];
  ident?: string;
  number?: number;
  negated?: boolean;
}

const render = (p: Prose): string =>
  p.clauses
    .map((c, i) => {
      const extra = i === 0 ? `${p.ident ? ` in ${p.ident}` : ''}${p.number !== undefined ? ` for the last ${p.number} commits` : ''}` : '';
      return `${c.verb} the ${c.adj} ${c.noun}${extra}${c.qual ? ` ${c.qual}` : ''}`;
    })
    .join(' and ')
    .concat(p.negated ? ' without touching the tests' : '');

export interface WorkloadOptions {
  seed?: number;
  bases?: number;
  /** Queries per base of each kind. */
  dupsPerBase?: number;
  nearPerBase?: number;
  freshShare?: number;
}

export interface Workload {
  readonly bases: WorkTask[];
  readonly queries: WorkTask[];
}

export function generateWorkload(options: WorkloadOptions = {}): Workload {
  const rnd = seededRandom(options.seed ?? 42);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  let meanings = 0;
  const seen = new Set<string>();

  const prose = (): Prose => {
    for (;;) {
      const clause = () => ({ verb: pick(VERBS), adj: pick(ADJ), noun: pick(NOUN), ...(rnd() < 0.6 ? { qual: pick(QUAL) } : {}) });
      const p: Prose = { clauses: rnd() < 0.35 ? [clause(), clause()] : [clause()] };
      if (rnd() < 0.3) p.ident = pick(IDENTS);
      if (rnd() < 0.25) p.number = 5 + Math.floor(rnd() * 60);
      const k = render(p);
      if (!seen.has(k)) {
        seen.add(k);
        return p;
      }
    }
  };

  // Identity of a task's meaning: type + fields with the text as rendered before any surface change.
  // Two generated tasks that land on one identity (a near-miss equal to another base) share a meaning.
  const identities = new Map<string, number>();
  const meaningOf = (type: string, input: Record<string, unknown>): number => {
    const k = JSON.stringify([type, Object.entries(input).sort(([a], [b]) => (a < b ? -1 : 1))]);
    let m = identities.get(k);
    if (m === undefined) {
      m = ++meanings;
      identities.set(k, m);
    }
    return m;
  };
  const based = (type: string, input: Record<string, unknown>, p?: Prose): { task: WorkTask; prose?: Prose } => ({
    task: { type, input, meaning: meaningOf(type, input), label: 'base' },
    ...(p ? { prose: p } : {}),
  });

  const makeBase = (): { task: WorkTask; prose?: Prose } => {
    const r = rnd();
    if (r < 0.3) {
      const p = prose();
      return based('llm.summarise', { repo: pick(REPOS), instruction: render(p), style: pick(['short', 'bullets']) }, p);
    }
    if (r < 0.55) {
      const p = prose();
      return based('search.code', { repo: pick(REPOS), query: render(p), limit: pick([10, 20, 50]) }, p);
    }
    if (r < 0.8) {
      const p = prose();
      return based('ticket.triage', { project: pick(REPOS).toUpperCase(), title: render(p), priority: pick(['p1', 'p2', 'p3']) }, p);
    }
    for (;;) {
      const input = { repo: pick(REPOS), file: `src/${pick(ADJ)}/${pick(NOUN)}.ts`, line: Math.floor(rnd() * 400), character: Math.floor(rnd() * 80) };
      const k = JSON.stringify(input);
      if (!seen.has(k)) {
        seen.add(k);
        return based('lsp.hover', input);
      }
    }
  };

  const textKey = (t: WorkTask): string => (t.type === 'llm.summarise' ? 'instruction' : t.type === 'search.code' ? 'query' : 'title');
  const reorderKeys = (input: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(Object.entries(input).reverse());
  const withText = (t: WorkTask, text: string, label: string, meaning = t.meaning): WorkTask => ({ type: t.type, input: reorderKeys({ ...t.input, [textKey(t)]: text }), meaning, label });

  const casing = (s: string): string => {
    const r = rnd();
    if (r < 0.33) return s.charAt(0).toUpperCase() + s.slice(1);
    if (r < 0.66) return s.replace(/\b([a-z])([a-z]*)\b/g, (_, a: string, b: string) => a.toUpperCase() + b);
    return `  ${s.replace(/ /g, () => (rnd() < 0.2 ? '   ' : rnd() < 0.1 ? '\n' : ' '))}  `;
  };
  const typo = (s: string): string => {
    const words = s.split(' ');
    const idx = words.map((w, i) => (/^[a-z]{6,}$/.test(w) ? i : -1)).filter((i) => i >= 0);
    if (!idx.length) return s;
    const i = pick(idx);
    const w = words[i]!;
    const j = 1 + Math.floor(rnd() * (w.length - 3));
    words[i] = w.slice(0, j) + w[j + 1] + w[j] + w.slice(j + 2);
    return words.join(' ');
  };

  const duplicate = (t: WorkTask, p: Prose | undefined): WorkTask => {
    if (!p) {
      const input = { ...t.input, file: rnd() < 0.5 ? ` ${String(t.input['file'])} ` : String(t.input['file']) };
      return { type: t.type, input: reorderKeys(input), meaning: t.meaning, label: 'dup:reordered-keys' };
    }
    const kinds = ['reordered-keys', 'whitespace-case', 'filler', 'inflection', 'reorder', 'synonym', 'typo'];
    const kind = pick(kinds);
    const q: Prose = structuredClone(p);
    let text = render(q);
    switch (kind) {
      case 'reordered-keys':
        break;
      case 'whitespace-case':
        text = casing(text);
        break;
      case 'filler':
        text = `${pick(FILLERS)} ${text}`;
        break;
      case 'inflection':
        q.clauses[0]!.verb = INFLECT[q.clauses[0]!.verb] ?? q.clauses[0]!.verb;
        text = render(q);
        break;
      case 'reorder':
        if (q.clauses.length === 2 && !q.ident && q.number === undefined) q.clauses.reverse();
        else if (q.clauses[0]!.qual) {
          const qual = q.clauses[0]!.qual;
          delete q.clauses[0]!.qual;
          text = `${qual}, ${render(q)}`;
          break;
        }
        text = render(q);
        break;
      case 'synonym': {
        const c = q.clauses.find((x) => SYN[x.verb]);
        if (c) c.verb = pick(SYN[c.verb]!);
        text = render(q);
        break;
      }
      case 'typo':
        text = typo(text);
        break;
    }
    if (kind !== 'whitespace-case' && rnd() < 0.3) text = casing(text);
    return withText(t, text, `dup:${kind}`);
  };

  const nearMiss = (t: WorkTask, p: Prose | undefined): WorkTask => {
    if (!p) {
      const input = { ...t.input, line: Number(t.input['line']) + 1 };
      return { type: t.type, input, meaning: meaningOf(t.type, input), label: 'near:structured' };
    }
    const q: Prose = structuredClone(p);
    const kinds = ['must-match', 'word-swap', 'qualifier-swap', 'drop-qualifier', 'role-swap', 'negation', 'number', 'identifier', 'structured'];
    const kind = pick(kinds);
    switch (kind) {
      case 'must-match': {
        const key = t.type === 'ticket.triage' ? 'project' : 'repo';
        const other = pick(REPOS.filter((r) => r !== String(t.input[key]).toLowerCase()));
        const input = { ...t.input, [key]: key === 'project' ? other.toUpperCase() : other };
        return { type: t.type, input, meaning: meaningOf(t.type, input), label: `near:${kind}` };
      }
      case 'word-swap': {
        const c = pick(q.clauses);
        if (rnd() < 0.5) c.verb = VERB_SWAP[c.verb]!;
        else c.adj = pick(ADJ.filter((a) => a !== c.adj));
        break;
      }
      case 'qualifier-swap': {
        const c = q.clauses.find((x) => x.qual);
        if (!c) {
          q.clauses[0]!.noun = pick(NOUN.filter((n) => n !== q.clauses[0]!.noun));
          break;
        }
        const word = c.qual!.split(' ').find((w) => QUAL_SWAP[w])!;
        c.qual = c.qual!.replace(word, QUAL_SWAP[word]!);
        break;
      }
      case 'drop-qualifier': {
        const c = q.clauses.find((x) => x.qual);
        if (c) delete c.qual;
        else q.clauses[0]!.qual = pick(QUAL);
        break;
      }
      case 'role-swap': {
        // Same words, other roles: the two clauses trade their subjects (or the verb and qualifier of one clause move).
        const [a, b] = q.clauses;
        if (a && b && a.adj !== b.adj) [a.adj, b.adj] = [b.adj, a.adj];
        else if (a && b && a.verb !== b.verb) [a.verb, b.verb] = [b.verb, a.verb];
        else q.clauses[0]!.adj = pick(ADJ.filter((x) => x !== q.clauses[0]!.adj));
        break;
      }
      case 'negation':
        q.negated = true;
        break;
      case 'number':
        q.number = (q.number ?? 10) + 1 + Math.floor(rnd() * 5);
        break;
      case 'identifier':
        q.ident = pick(IDENTS.filter((i) => i !== q.ident));
        break;
      case 'structured': {
        const field = t.type === 'llm.summarise' ? 'style' : t.type === 'search.code' ? 'limit' : 'priority';
        const alt = t.type === 'llm.summarise' ? (t.input['style'] === 'short' ? 'bullets' : 'short') : t.type === 'search.code' ? Number(t.input['limit']) * 2 : t.input['priority'] === 'p1' ? 'p2' : 'p1';
        const input = { ...t.input, [field]: alt };
        return { type: t.type, input, meaning: meaningOf(t.type, input), label: `near:${kind}` };
      }
    }
    const meaning = meaningOf(t.type, { ...t.input, [textKey(t)]: render(q) });
    let text = render(q);
    if (rnd() < 0.3) text = casing(text);
    return withText(t, text, `near:${kind}`, meaning);
  };

  const bases: WorkTask[] = [];
  const queries: WorkTask[] = [];
  const n = options.bases ?? 2000;
  for (let i = 0; i < n; i++) {
    const { task, prose: p } = makeBase();
    bases.push(task);
    for (let d = 0; d < (options.dupsPerBase ?? 1); d++) queries.push(duplicate(task, p));
    for (let d = 0; d < (options.nearPerBase ?? 1); d++) queries.push(nearMiss(task, p));
  }
  const fresh = Math.round(queries.length * (options.freshShare ?? 0.1));
  for (let i = 0; i < fresh; i++) queries.push({ ...makeBase().task, label: 'fresh' });
  // Shuffle the queries (seeded) so kinds interleave.
  for (let i = queries.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [queries[i], queries[j]] = [queries[j]!, queries[i]!];
  }
  return { bases, queries };
}
