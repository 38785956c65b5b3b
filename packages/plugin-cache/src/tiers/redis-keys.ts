/** Key layout of the shared tier, in one place: `<prefix>:<namespace>:e:<type>:<version>:<hash>` and the feed stream. */

/** Type and version names go into keys and SCAN patterns: keep them free of glob characters and colons. */
const segment = (s: string): string => s.replace(/[^A-Za-z0-9._-]/g, '_');

export class RedisKeys {
  readonly base: string;
  /**
   * `hashTag`: on a Redis Cluster the base is a hash tag (`{weft:cache:default}`), so a
   * namespace's entries and feed share one slot: the MULTI that writes an entry with its feed
   * message, and the UNLINK of an invalidation, stay on one node.
   */
  constructor(prefix: string, namespace: string, hashTag = false) {
    this.base = hashTag ? `{${prefix}:${namespace}}` : `${prefix}:${namespace}`;
  }

  entry(type: string, version: string, key: string): string {
    return `${this.base}:e:${segment(type)}:${segment(version)}:${key}`;
  }

  /** SCAN pattern of the entries an invalidation removes. */
  pattern(type?: string, version?: string): string {
    return `${this.base}:e:${type === undefined ? '*' : segment(type)}:${version === undefined ? '*' : segment(version)}:*`;
  }

  get feed(): string {
    return `${this.base}:feed`;
  }
}
