/** The documents open on one language server, least recently used first: the oldest is closed to make room. */
type Notify = (method: string, params: unknown) => Promise<void>;

export class OpenDocuments {
  /** A Map iterates in insertion order: re-inserting on use keeps it in LRU order. */
  private readonly docs = new Map<string, { version: number; text: string }>();

  constructor(
    private readonly max: number,
    private readonly notify: Notify,
    /** Called for each document closed, so what the server published for it is dropped too. */
    private readonly closed: (uri: string) => void,
  ) {}

  get size(): number {
    return this.docs.size;
  }

  /** Opens the document, or sends its text when it changed (or `force`); returns the version sent. */
  async sync(uri: string, languageId: string, text: string, force: boolean): Promise<number> {
    const doc = this.docs.get(uri);
    if (doc === undefined) {
      while (this.docs.size >= this.max) {
        const oldest = this.docs.keys().next().value as string;
        this.docs.delete(oldest);
        this.closed(oldest);
        await this.notify('textDocument/didClose', { textDocument: { uri: oldest } });
      }
      this.docs.set(uri, { version: 1, text });
      await this.notify('textDocument/didOpen', { textDocument: { uri, languageId, version: 1, text } });
      return 1;
    }
    this.docs.delete(uri);
    this.docs.set(uri, doc);
    if (doc.text === text && !force) return doc.version;
    doc.version += 1;
    doc.text = text;
    await this.notify('textDocument/didChange', { textDocument: { uri, version: doc.version }, contentChanges: [{ text }] });
    return doc.version;
  }

  /** Forgets the document; tells the server only when it is `running`. */
  async close(uri: string, running: boolean): Promise<void> {
    if (!this.docs.delete(uri) || !running) return;
    this.closed(uri);
    await this.notify('textDocument/didClose', { textDocument: { uri } });
  }
}
