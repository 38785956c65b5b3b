/**
 * The `path` kind: a file or URL path with dot segments (`./`, `a/../`), duplicate slashes and a
 * trailing slash removed (RFC 3986 5.2.4 for the dot segments). Whether it is absolute counts:
 * `/src` and `src` stay apart.
 */
import { posix } from 'node:path';

export function canonicalPath(raw: string): string {
  const s = raw.trim();
  if (s === '') return s;
  const n = posix.normalize(s);
  if (n === '/' || n === '.') return n;
  const trimmed = n.endsWith('/') ? n.slice(0, -1) : n;
  return trimmed.startsWith('./') ? trimmed.slice(2) : trimmed;
}
