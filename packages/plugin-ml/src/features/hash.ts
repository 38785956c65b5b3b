/** FNV-1a (32-bit): a stable string hash, so open-ended values map to the same bucket everywhere. */
export function fnv1a(text: string): number {
  return hashInto(OFFSET_BASIS, text, 0) >>> 0;
}

/**
 * Bucket of a value among `buckets`; the salt keeps different fields from colliding the same way.
 * The hash of `${salt}:${value.slice(from)}`, fed piece by piece: encoding a task hashes a few
 * strings per decision, and building each one first was an allocation per string.
 */
export function bucketOf(salt: string, value: string, buckets: number, from = 0): number {
  const h = Math.imul(hashInto(OFFSET_BASIS, salt, 0) ^ COLON, PRIME);
  return (hashInto(h, value, from) >>> 0) % buckets;
}

const OFFSET_BASIS = 0x811c9dc5;
const PRIME = 0x01000193;
const COLON = 0x3a;

function hashInto(h: number, text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, PRIME);
  }
  return h;
}
