/**
 * The task families of the cache workload. Each family has a policy written the way a user would
 * declare it from the standards (not fitted to the generator), a generator of semantic parameters,
 * a truth key (tasks with equal keys have one correct output), one plain rendering, renderings
 * that keep the meaning (repeats) and edits that change it (hard negatives).
 */
import type { TypePolicyInput } from '@weft/plugin-cache';

export interface Rng {
  next(): number;
  int(n: number): number;
  pick<T>(xs: readonly T[]): T;
  chance(p: number): boolean;
  shuffle<T>(xs: readonly T[]): T[];
}

export function rng(seed: number): Rng {
  let a = seed >>> 0 || 1;
  const next = (): number => {
    // mulberry32
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number): number => Math.floor(next() * n);
  return {
    next,
    int,
    pick: (xs) => xs[int(xs.length)]!,
    chance: (p) => next() < p,
    shuffle: (xs) => {
      const out = [...xs];
      for (let i = out.length - 1; i > 0; i--) {
        const j = int(i + 1);
        [out[i], out[j]] = [out[j]!, out[i]!];
      }
      return out;
    },
  };
}

export type Input = Record<string, unknown>;

export interface Family<P> {
  readonly type: string;
  readonly policy: TypePolicyInput;
  base(r: Rng): P;
  truth(p: P): string;
  render(p: P, r: Rng): Input;
  /** Meaning-preserving rewrites: name → rendering of the same parameters. */
  readonly repeats: Readonly<Record<string, (p: P, r: Rng) => Input>>;
  /** Meaning-changing edits: name → other parameters (rendered plainly), or undefined when the edit does not apply. */
  readonly negatives: Readonly<Record<string, (p: P, r: Rng) => P | undefined>>;
}

// ------------------------------------------------------------------ shared helpers
const reorderKeys = (input: Input, r: Rng): Input => Object.fromEntries(r.shuffle(Object.entries(input)));
const mixedCase = (s: string, r: Rng): string => [...s].map((c) => (r.chance(0.5) ? c.toUpperCase() : c.toLowerCase())).join('');
const FULL_WIDTH = (s: string): string => s.replace(/[0-9]/g, (d) => String.fromCharCode(0xff10 + Number(d)));
const ARABIC_INDIC = (s: string): string => s.replace(/[0-9]/g, (d) => String.fromCharCode(0x0660 + Number(d)));
const NFD = (s: string): string => s.normalize('NFD');
const spaced = (s: string, r: Rng): string =>
  `${r.chance(0.5) ? '  ' : ''}${s.replace(/ /g, () => (r.chance(0.3) ? '  ' : r.chance(0.1) ? '\n' : ' '))}${r.chance(0.5) ? ' \n' : ''}`;
const times10 = (n: number): number => n * 10;
/** One typo: two neighbouring letters of a lower-case word of six or more letters trade places. */
const typo = (s: string, r: Rng): string => {
  const words = [...s.matchAll(/\b[a-z]{6,}\b/g)];
  if (!words.length) return s;
  const m = r.pick(words);
  const i = 1 + r.int(m[0].length - 3);
  const w = m[0];
  return `${s.slice(0, m.index)}${w.slice(0, i)}${w[i + 1]}${w[i]}${w.slice(i + 2)}${s.slice(m.index + w.length)}`;
};

// ------------------------------------------------------------------ http.fetch
const HOSTS = [
  'api.example.com',
  'status.acme.io',
  'data.weft.dev',
  'cdn.orbit.net',
  'auth.nimbus.org',
  'search.quartz.app',
  'files.harbor.cloud',
  'metrics.delta.io',
];
const SEGS = [
  'v1',
  'v2',
  'users',
  'orders',
  'items',
  'reports',
  'search',
  'health',
  'files',
  'teams',
  'billing',
  'events',
  'logs',
  'export',
  'stats',
  'summary',
  'me',
  'public',
  'archive',
  'latest',
];
const QKEYS = ['limit', 'page', 'sort', 'q', 'region', 'format', 'since', 'fields', 'lang', 'status'];
const QVALS: Record<string, () => string[]> = {
  limit: () => ['10', '20', '50', '5'],
  page: () => ['1', '2', '3', '7'],
  sort: () => ['asc', 'desc', 'name', 'date'],
  q: () => ['weft', 'cache', 'login', 'fleet', 'retry'],
  region: () => ['eu', 'us', 'ap'],
  format: () => ['json', 'csv', 'xml'],
  since: () => ['2024-01-01', '2025-06-30', '7d'],
  fields: () => ['id', 'name', 'id,name'],
  lang: () => ['en', 'fr', 'de'],
  status: () => ['open', 'closed', 'all'],
};
const ACCEPTS = ['application/json', 'text/csv', 'text/html', 'application/xml'];
const TOKENS = ['Bearer abc123', 'Bearer xyz789', 'Bearer k9Q2', 'Bearer ZZtop'];

interface Http {
  method: string;
  https: boolean;
  host: string;
  path: string[];
  query: [string, string][];
  headers: [string, string][];
}

const httpUrl = (p: Http, o: { scheme?: string; host?: string; port?: boolean; path?: string[]; query?: [string, string][] } = {}): string => {
  const scheme = o.scheme ?? (p.https ? 'https' : 'http');
  const port = o.port ? (p.https ? ':443' : ':80') : '';
  const q = o.query ?? p.query;
  return `${scheme}://${o.host ?? p.host}${port}/${(o.path ?? p.path).join('/')}${q.length ? `?${q.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&')}` : ''}`;
};
const httpHeaders = (p: Http, name: (n: string) => string = (n) => n): Record<string, string> => Object.fromEntries(p.headers.map(([n, v]) => [name(n), v]));

export const httpFetch: Family<Http> = {
  type: 'http.fetch',
  policy: { fields: { method: 'enum', url: { kind: 'url', unordered: true }, headers: 'headers' } },
  base(r) {
    const keys = r.shuffle(QKEYS).slice(0, r.int(4));
    const headers: [string, string][] = [['Accept', r.pick(ACCEPTS)]];
    if (r.chance(0.5)) headers.push(['Authorization', r.pick(TOKENS)]);
    if (r.chance(0.3)) headers.push(['X-Request-Region', r.pick(['eu', 'us'])]);
    return {
      method: r.pick(['GET', 'GET', 'GET', 'HEAD', 'POST']),
      https: r.chance(0.85),
      host: r.pick(HOSTS),
      path: Array.from({ length: 1 + r.int(3) }, () => r.pick(SEGS)),
      query: keys.map((k) => [k, r.pick(QVALS[k]!())]),
      headers,
    };
  },
  truth: (p) => JSON.stringify([p.method, p.https, p.host, p.path, [...p.query].sort(), [...p.headers].map(([n, v]) => [n.toLowerCase(), v]).sort()]),
  render: (p) => ({ method: p.method, url: httpUrl(p), headers: httpHeaders(p) }),
  repeats: {
    'host-case': (p, r) => ({ method: p.method, url: httpUrl(p, { host: mixedCase(p.host, r), scheme: p.https ? 'HTTPS' : 'HTTP' }), headers: httpHeaders(p) }),
    'default-port': (p) => ({ method: p.method, url: httpUrl(p, { port: true }), headers: httpHeaders(p) }),
    'query-order': (p, r) => ({
      method: p.method,
      url: httpUrl(p, { query: p.query.length > 1 ? [...p.query].reverse() : r.shuffle(p.query) }),
      headers: httpHeaders(p),
    }),
    'percent-encoding': (p) => ({
      method: p.method,
      url: httpUrl(p, { path: p.path.map((s) => s.replace(/[a-z]/, (c) => `%${c.charCodeAt(0).toString(16)}`)) }),
      headers: httpHeaders(p),
    }),
    'dot-segments': (p) => ({ method: p.method, url: httpUrl(p, { path: ['.', 'tmp', '..', ...p.path] }), headers: httpHeaders(p) }),
    'header-name-case': (p, r) => ({ method: p.method, url: httpUrl(p), headers: httpHeaders(p, (n) => (r.chance(0.5) ? n.toLowerCase() : n.toUpperCase())) }),
    'method-case': (p) => ({ method: p.method.toLowerCase(), url: httpUrl(p), headers: httpHeaders(p) }),
    'key-order': (p, r) => reorderKeys({ headers: reorderKeys(httpHeaders(p), r), url: httpUrl(p), method: p.method }, r),
  },
  negatives: {
    'other-host': (p, r) => ({ ...p, host: r.pick(HOSTS.filter((h) => h !== p.host)) }),
    'other-path': (p, r) => {
      const i = r.int(p.path.length);
      return { ...p, path: p.path.map((s, j) => (j === i ? r.pick(SEGS.filter((x) => x !== s)) : s)) };
    },
    'path-case': (p) => ({ ...p, path: p.path.map((s, j) => (j === p.path.length - 1 ? s.charAt(0).toUpperCase() + s.slice(1) : s)) }),
    'number-x10': (p) => {
      const i = p.query.findIndex(([, v]) => /^\d+$/.test(v));
      if (i < 0) return { ...p, query: [...p.query, ['limit', '100']] as [string, string][] };
      return { ...p, query: p.query.map(([k, v], j) => [k, j === i ? String(times10(Number(v))) : v] as [string, string]) };
    },
    'other-header-value': (p, r) => ({
      ...p,
      headers: p.headers.map(([n, v], j) => [n, j === 0 ? r.pick(ACCEPTS.filter((a) => a !== v)) : v] as [string, string]),
    }),
    'header-value-case': (p) => ({
      ...p,
      headers: p.headers.map(
        ([n, v], j) => [n, j === p.headers.length - 1 ? (v === v.toUpperCase() ? v.toLowerCase() : v.toUpperCase()) : v] as [string, string],
      ),
    }),
    'other-method': (p) => ({ ...p, method: p.method === 'POST' ? 'GET' : 'POST' }),
  },
};

// ------------------------------------------------------------------ sql.query
const TABLES = ['users', 'orders', 'invoices', 'events', 'sessions', 'products', 'payments', 'tickets', 'deployments', 'audit_log'];
const COLS = ['id', 'name', 'status', 'amount', 'created_at', 'region', 'owner_id', 'score', 'email', 'kind'];
const STRINGS = ['Bob', 'Alice', 'active', 'Pending', 'EU-West', 'gold', 'Closed', 'urgent', 'McDonald', 'x-Ray'];
const OPS = ['=', '!=', '>', '<', '>=', '<='];
const FLIP: Record<string, string> = { '=': '!=', '!=': '=', '>': '<=', '<=': '>', '<': '>=', '>=': '<' };

interface Sql {
  db: string;
  select: string[] | '*';
  table: string;
  where: { col: string; op: string; value: number | string }[];
  join: 'AND' | 'OR';
  order?: string;
  limit?: number;
}

interface SqlStyle {
  kw: (s: string) => string;
  id: (s: string) => string;
  sp: string;
  neq: string;
  comment: string;
  semi: string;
}
const PLAIN: SqlStyle = { kw: (s) => s, id: (s) => s, sp: ' ', neq: '!=', comment: '', semi: '' };
const lit = (v: number | string): string => (typeof v === 'number' ? String(v) : `'${v}'`);
function sqlText(p: Sql, st: SqlStyle = PLAIN): string {
  const k = st.kw;
  const parts = [`${k('SELECT')} ${p.select === '*' ? '*' : p.select.map(st.id).join(', ')}`, `${k('FROM')} ${st.id(p.table)}`];
  if (p.where.length)
    parts.push(`${k('WHERE')} ${p.where.map((w) => `${st.id(w.col)} ${w.op === '!=' ? st.neq : w.op} ${lit(w.value)}`).join(` ${k(p.join)} `)}`);
  if (p.order) parts.push(`${k('ORDER BY')} ${st.id(p.order)}`);
  if (p.limit !== undefined) parts.push(`${k('LIMIT')} ${p.limit}`);
  return `${st.comment}${parts.join(st.sp)}${st.semi}`;
}
const sqlInput = (p: Sql, st?: SqlStyle): Input => ({ database: p.db, query: sqlText(p, st) });

export const sqlQuery: Family<Sql> = {
  type: 'sql.query',
  policy: { fields: { query: 'sql' } },
  base(r) {
    const n = r.int(3) + (r.chance(0.8) ? 1 : 0);
    return {
      db: r.pick(['analytics', 'billing', 'ops']),
      select: r.chance(0.3) ? '*' : r.shuffle(COLS).slice(0, 1 + r.int(3)),
      table: r.pick(TABLES),
      where: Array.from({ length: n }, () => {
        const num = r.chance(0.55);
        return { col: r.pick(COLS), op: num ? r.pick(OPS) : r.pick(['=', '!=']), value: num ? 1 + r.int(500) : r.pick(STRINGS) };
      }),
      join: r.chance(0.75) ? 'AND' : 'OR',
      ...(r.chance(0.4) ? { order: r.pick(COLS) } : {}),
      ...(r.chance(0.5) ? { limit: r.pick([10, 25, 50, 100]) } : {}),
    };
  },
  truth: (p) => JSON.stringify([p.db, p.select, p.table, p.where, p.where.length > 1 ? p.join : '', p.order ?? '', p.limit ?? '']),
  render: (p) => sqlInput(p),
  repeats: {
    'keyword-case': (p, r) => sqlInput(p, { ...PLAIN, kw: r.chance(0.5) ? (s) => s.toLowerCase() : (s) => mixedCase(s, r) }),
    whitespace: (p, r) => sqlInput(p, { ...PLAIN, sp: r.pick(['\n', '\n  ', '   ', '\t']) }),
    comments: (p, r) => sqlInput(p, { ...PLAIN, comment: r.pick(['-- nightly report\n', '/* dashboard */ ']) }),
    'trailing-semicolon': (p) => sqlInput(p, { ...PLAIN, semi: ';' }),
    'identifier-case': (p) => sqlInput(p, { ...PLAIN, id: (s) => s.toUpperCase() }),
    'not-equal-spelling': (p) => sqlInput(p, { ...PLAIN, neq: '<>' }),
    'key-order': (p, r) => reorderKeys({ query: sqlText(p, { ...PLAIN, kw: (s) => s.toLowerCase() }), database: p.db }, r),
  },
  negatives: {
    'flipped-operator': (p, r) => {
      if (!p.where.length) return undefined;
      const i = r.int(p.where.length);
      return { ...p, where: p.where.map((w, j) => (j === i ? { ...w, op: FLIP[w.op]! } : w)) };
    },
    'number-x10': (p) => {
      const i = p.where.findIndex((w) => typeof w.value === 'number');
      if (i >= 0) return { ...p, where: p.where.map((w, j) => (j === i ? { ...w, value: times10(w.value as number) } : w)) };
      return p.limit !== undefined ? { ...p, limit: times10(p.limit) } : undefined;
    },
    'literal-case': (p) => {
      const i = p.where.findIndex((w) => typeof w.value === 'string');
      if (i < 0) return undefined;
      const flip = (s: string): string => (s === s.toLowerCase() ? s.toUpperCase() : s.toLowerCase());
      return { ...p, where: p.where.map((w, j) => (j === i ? { ...w, value: flip(w.value as string) } : w)) };
    },
    'select-star': (p) => ({ ...p, select: p.select === '*' ? ['id'] : '*' }),
    'other-table': (p, r) => ({ ...p, table: r.pick(TABLES.filter((t) => t !== p.table)) }),
    'and-or': (p) => (p.where.length > 1 ? { ...p, join: p.join === 'AND' ? 'OR' : 'AND' } : undefined),
    'other-database': (p) => ({ ...p, db: p.db === 'ops' ? 'billing' : 'ops' }),
  },
};

// ------------------------------------------------------------------ lsp.diagnostics
const DIRS = ['src', 'lib', 'app', 'pkg', 'internal', 'tests', 'scripts', 'core', 'api', 'utils'];
const FILES = ['main', 'server', 'client', 'parser', 'config', 'models', 'routes', 'auth', 'cache', 'worker', 'handlers', 'schema'];
const LANGS: Record<string, string> = { python: 'py', typescript: 'ts', go: 'go', rust: 'rs', javascript: 'js' };

interface Diag {
  dirs: string[];
  file: string;
  language: string;
  severity: string;
  maxProblems: number;
}
const diagPath = (p: Diag): string => [...p.dirs, `${p.file}.${LANGS[p.language]}`].join('/');
const diagInput = (p: Diag, o: { file?: string; language?: string; severity?: string; max?: unknown } = {}): Input => ({
  file: o.file ?? diagPath(p),
  language: o.language ?? p.language,
  severity: o.severity ?? p.severity,
  maxProblems: o.max ?? p.maxProblems,
});

export const lspDiagnostics: Family<Diag> = {
  type: 'lsp.diagnostics',
  policy: { fields: { file: 'path', language: 'enum', severity: 'enum', maxProblems: 'number' } },
  base: (r) => ({
    dirs: Array.from({ length: 1 + r.int(3) }, () => r.pick(DIRS)),
    file: r.pick(FILES),
    language: r.pick(Object.keys(LANGS)),
    severity: r.pick(['error', 'warning', 'hint']),
    maxProblems: r.pick([20, 50, 100, 200]),
  }),
  truth: (p) => JSON.stringify([diagPath(p), p.language, p.severity, p.maxProblems]),
  render: (p) => diagInput(p),
  repeats: {
    'dot-slash': (p) => diagInput(p, { file: `./${diagPath(p)}` }),
    'duplicate-slash': (p) => diagInput(p, { file: diagPath(p).replace('/', '//') }),
    'dot-dot': (p) => diagInput(p, { file: `${p.dirs[0]}/tmp/../${diagPath(p).slice(p.dirs[0]!.length + 1)}` }),
    'language-case': (p, r) =>
      diagInput(p, {
        language: r.chance(0.5) ? p.language.toUpperCase() : p.language[0]!.toUpperCase() + p.language.slice(1),
        severity: p.severity.toUpperCase(),
      }),
    'number-as-string': (p) => diagInput(p, { max: String(p.maxProblems) }),
    'full-width-digits': (p) => diagInput(p, { max: FULL_WIDTH(String(p.maxProblems)) }),
    'key-order': (p, r) => reorderKeys(diagInput(p), r),
  },
  negatives: {
    'other-file': (p, r) => ({ ...p, file: r.pick(FILES.filter((f) => f !== p.file)) }),
    'other-dir': (p, r) => ({ ...p, dirs: [r.pick(DIRS.filter((d) => d !== p.dirs[0])), ...p.dirs.slice(1)] }),
    'file-case': (p) => ({ ...p, file: p.file[0]!.toUpperCase() + p.file.slice(1) }),
    'other-language': (p, r) => ({ ...p, language: r.pick(Object.keys(LANGS).filter((l) => l !== p.language)) }),
    'number-x10': (p) => ({ ...p, maxProblems: times10(p.maxProblems) }),
    'other-severity': (p) => ({ ...p, severity: p.severity === 'error' ? 'warning' : 'error' }),
  },
};

// ------------------------------------------------------------------ prose pieces shared by the text families
const CITIES = ['Paris', 'Berlin', 'Lisbon', 'Madrid', 'Oslo', 'Vienna', 'Prague', 'Dublin', 'Warsaw', 'Athens', 'Zürich', 'Kraków'];
const PEOPLE = ['Alice', 'Bruno', 'Chloé', 'Dmitri', 'Elena', 'Farid', 'Grete', 'Hiro', 'Inès', 'José'];
const PRODUCTS = ['Weft', 'Atlas', 'Orbit', 'Nimbus', 'Quartz', 'Harbor', 'Ember', 'Delta'];
const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday'];
const QUOTES = ['Welcome aboard', 'Out of Stock', 'Try again later', 'Order Confirmed', 'Access Denied', 'See you soon'];

// ------------------------------------------------------------------ translate.text
const SENTENCES: ((s: Sentence) => string)[] = [
  (s) => `The meeting with ${s.person} in ${s.city} ${s.neg ? 'does not start' : 'starts'} at ${s.n} on ${s.day}.`,
  (s) => `Please send ${s.n} copies of the café menu to ${s.person} in ${s.city}${s.neg ? ', not today' : ''}.`,
  (s) => `The sign in ${s.city} ${s.neg ? 'must not say' : 'must say'} "${s.quote}" for ${s.n} days.`,
  (s) => `${s.person} ${s.neg ? "didn't book" : 'booked'} ${s.n} rooms in ${s.city} for ${s.day}.`,
  (s) => `Our résumé service in ${s.city} ${s.neg ? 'is not open' : 'is open'} until ${s.n} on ${s.day}.`,
];
interface Sentence {
  template: number;
  person: string;
  city: string;
  day: string;
  quote: string;
  n: number;
  neg: boolean;
}
const sentence = (s: Sentence): string => SENTENCES[s.template]!(s);
const randomSentence = (r: Rng): Sentence => ({
  template: r.int(SENTENCES.length),
  person: r.pick(PEOPLE),
  city: r.pick(CITIES),
  day: r.pick(DAYS),
  quote: r.pick(QUOTES),
  n: 2 + r.int(60),
  neg: false,
});
/** Two entities of one kind trade places, or one is replaced: the sentence names someone or somewhere else. */
const swapEntity = (s: Sentence, r: Rng): Sentence =>
  r.chance(0.5) ? { ...s, city: r.pick(CITIES.filter((c) => c !== s.city)) } : { ...s, person: r.pick(PEOPLE.filter((p) => p !== s.person)) };
const sentenceUses = (s: Sentence, what: 'person' | 'quote' | 'day'): boolean => SENTENCES[s.template]!({ ...s, [what]: '\u0001' }).includes('\u0001');

interface Translate {
  s: Sentence;
  source: string;
  target: string;
}
const LANG_CODES = ['en', 'fr', 'de', 'es', 'pt-BR', 'zh-Hant', 'en-GB'];
const trInput = (p: Translate, o: { text?: string; source?: string; target?: string } = {}): Input => ({
  text: o.text ?? sentence(p.s),
  source: o.source ?? p.source,
  target: o.target ?? p.target,
});

export const translate: Family<Translate> = {
  type: 'translate.text',
  policy: { fields: { text: 'text', source: 'enum', target: 'enum' } },
  base(r) {
    const source = r.pick(LANG_CODES);
    return { s: randomSentence(r), source, target: r.pick(LANG_CODES.filter((c) => c !== source)) };
  },
  truth: (p) => JSON.stringify([sentence(p.s), p.source.toLowerCase(), p.target.toLowerCase()]),
  render: (p) => trInput(p),
  repeats: {
    'language-code-case': (p) => trInput(p, { source: p.source.toUpperCase(), target: p.target.toLowerCase() }),
    whitespace: (p, r) => trInput(p, { text: spaced(sentence(p.s), r) }),
    'decomposed-accents': (p) => trInput(p, { text: NFD(sentence(p.s)) }),
    'full-width-digits': (p) => trInput(p, { text: FULL_WIDTH(sentence(p.s)) }),
    'key-order': (p, r) => reorderKeys(trInput(p), r),
  },
  negatives: {
    'other-target': (p, r) => ({ ...p, target: r.pick(LANG_CODES.filter((c) => c !== p.target && c !== p.source)) }),
    negation: (p) => ({ ...p, s: { ...p.s, neg: true } }),
    'number-x10': (p) => ({ ...p, s: { ...p.s, n: times10(p.s.n) } }),
    'swapped-entity': (p, r) => ({ ...p, s: swapEntity(p.s, r) }),
    'quoted-string': (p) =>
      sentenceUses(p.s, 'quote')
        ? { ...p, s: { ...p.s, quote: p.s.quote.toLowerCase() === p.s.quote ? p.s.quote.toUpperCase() : p.s.quote.toLowerCase() } }
        : undefined,
  },
};

// ------------------------------------------------------------------ classify.text
const REVIEWS: ((c: Review) => string)[] = [
  (c) => `The ${c.product} app ${c.neg ? 'does not crash' : 'crashes'} when I upload ${c.n} photos from ${c.city}.`,
  (c) => `Support in ${c.city} answered my ticket about ${c.product} after ${c.n} days and ${c.neg ? 'did not fix' : 'fixed'} it.`,
  (c) => `I ${c.neg ? 'cannot' : 'can'} log in to ${c.product} since the update, tried ${c.n} times.`,
  (c) => `Billing for ${c.product} charged me ${c.n} euros twice; the ${c.city} office ${c.neg ? "won't" : 'will'} refund it.`,
  (c) => `Delivery of my ${c.product} order to ${c.city} ${c.neg ? 'was not late' : 'was late'} by ${c.n} hours.`,
];
interface Review {
  template: number;
  product: string;
  city: string;
  n: number;
  neg: boolean;
}
const LABELS = ['bug', 'billing', 'delivery', 'login', 'praise', 'refund', 'support', 'performance', 'other'];
interface Classify {
  c: Review;
  labels: string[];
}
const review = (c: Review): string => REVIEWS[c.template]!(c);
const clInput = (p: Classify, o: { text?: string; labels?: string[] } = {}): Input => ({ text: o.text ?? review(p.c), labels: o.labels ?? p.labels });

export const classify: Family<Classify> = {
  type: 'classify.text',
  policy: { fields: { text: 'text', labels: 'set' } },
  base: (r) => ({
    c: { template: r.int(REVIEWS.length), product: r.pick(PRODUCTS), city: r.pick(CITIES), n: 2 + r.int(40), neg: false },
    labels: r.shuffle(LABELS).slice(0, 3 + r.int(3)),
  }),
  truth: (p) => JSON.stringify([review(p.c), [...p.labels].sort()]),
  render: (p) => clInput(p),
  repeats: {
    'labels-order': (p, r) => clInput(p, { labels: [...p.labels].reverse().concat(r.chance(0.3) ? [p.labels[0]!] : []) }),
    whitespace: (p, r) => clInput(p, { text: spaced(review(p.c), r) }),
    'lower-case': (p) => clInput(p, { text: review(p.c).toLowerCase() }),
    'arabic-indic-digits': (p) => clInput(p, { text: ARABIC_INDIC(review(p.c)) }),
    typo: (p, r) => clInput(p, { text: typo(review(p.c), r) }),
    'key-order': (p, r) => reorderKeys(clInput(p), r),
  },
  negatives: {
    negation: (p) => ({ ...p, c: { ...p.c, neg: true } }),
    'number-x10': (p) => ({ ...p, c: { ...p.c, n: times10(p.c.n) } }),
    'swapped-entity': (p, r) => ({
      ...p,
      c: r.chance(0.5)
        ? { ...p.c, product: r.pick(PRODUCTS.filter((x) => x !== p.c.product)) }
        : { ...p.c, city: r.pick(CITIES.filter((x) => x !== p.c.city)) },
    }),
    'other-labels': (p, r) => ({
      ...p,
      labels: p.labels.length > 3 && r.chance(0.5) ? p.labels.slice(1) : [...p.labels, LABELS.find((l) => !p.labels.includes(l))!],
    }),
  },
};

// ------------------------------------------------------------------ llm.instruct (prose)
const VERBS = ['summarise', 'review', 'explain', 'document', 'refactor', 'test', 'audit', 'profile'];
const OBJECTS = ['login handler', 'payment client', 'retry policy', 'upload parser', 'session store', 'billing export', 'search index', 'webhook worker'];
const QUALS = [
  'before the release',
  'for the mobile app',
  'in the api layer',
  'for the admin dashboard',
  'on the staging cluster',
  'with clearer error messages',
];
const FILLERS = ['please', 'could you', 'kindly', 'can you please'];
interface Instruct {
  repo: string;
  verb: string;
  object: string;
  qual: string;
  owner: string;
  n: number;
  quote?: string;
  neg: boolean;
}
const INFLECT: Record<string, string> = {
  summarise: 'summarising',
  review: 'reviewing',
  explain: 'explaining',
  document: 'documenting',
  refactor: 'refactoring',
  test: 'testing',
  audit: 'auditing',
  profile: 'profiling',
};
const instruction = (p: Instruct, o: { filler?: string; verb?: string; front?: boolean } = {}): string => {
  const core = `${o.verb ?? p.verb} the ${p.object}${p.neg ? ' without' : ' with'} the last ${p.n} commits by ${p.owner}${p.quote ? ` titled "${p.quote}"` : ''}`;
  const body = o.front ? `${p.qual}, ${core}` : `${core} ${p.qual}`;
  const text = o.filler ? `${o.filler} ${body}` : body;
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
};
const inInput = (p: Instruct, text = instruction(p)): Input => ({ repo: p.repo, instruction: text });

export const instruct: Family<Instruct> = {
  type: 'llm.instruct',
  policy: { fields: { instruction: 'text' } },
  base: (r) => ({
    repo: r.pick(['weft', 'atlas', 'orbit', 'nimbus']),
    verb: r.pick(VERBS),
    object: r.pick(OBJECTS),
    qual: r.pick(QUALS),
    owner: r.pick(PEOPLE),
    n: 3 + r.int(30),
    ...(r.chance(0.3) ? { quote: r.pick(QUOTES) } : {}),
    neg: false,
  }),
  truth: (p) => JSON.stringify([p.repo, p.verb, p.object, p.qual, p.owner, p.n, p.quote ?? '', p.neg]),
  render: (p) => inInput(p),
  repeats: {
    filler: (p, r) => inInput(p, instruction(p, { filler: r.pick(FILLERS) })),
    inflection: (p) => inInput(p, instruction(p, { verb: INFLECT[p.verb] })),
    'fronted-qualifier': (p) => inInput(p, instruction(p, { front: true })),
    'case-and-whitespace': (p, r) => inInput(p, spaced(instruction(p).replace(p.object, p.object.toUpperCase()), r)),
    'full-width-digits': (p) => inInput(p, FULL_WIDTH(instruction(p))),
    typo: (p, r) => inInput(p, typo(instruction(p), r)),
    'key-order': (p, r) => reorderKeys(inInput(p), r),
  },
  negatives: {
    negation: (p) => ({ ...p, neg: true }),
    'number-x10': (p) => ({ ...p, n: times10(p.n) }),
    'swapped-entity': (p, r) => ({ ...p, owner: r.pick(PEOPLE.filter((x) => x !== p.owner)) }),
    'quoted-string-case': (p) => (p.quote ? { ...p, quote: p.quote.toLowerCase() === p.quote ? p.quote.toUpperCase() : p.quote.toLowerCase() } : undefined),
    'other-repo': (p) => ({ ...p, repo: p.repo === 'weft' ? 'atlas' : 'weft' }),
    'other-verb': (p, r) => ({ ...p, verb: r.pick(VERBS.filter((v) => v !== p.verb)) }),
  },
};

/** Every family; structured types first, prose last. */
export const FAMILIES = [httpFetch, sqlQuery, lspDiagnostics, translate, classify, instruct] as readonly Family<never>[];
