/** FNV-1a (32-bit): a stable string hash, so open-ended values map to the same bucket everywhere. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Bucket of a value among `buckets`; the salt keeps different fields from colliding the same way. */
export function bucketOf(salt: string, value: string, buckets: number): number {
  return fnv1a(`${salt}:${value}`) % buckets;
}
