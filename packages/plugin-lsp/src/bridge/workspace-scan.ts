/** Walks a directory of the sandbox, in name order, listing the files whose language is known; follows no symlink. */
import { closeSync, openSync, readSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

export interface ListFilesOptions {
  readonly maxFiles: number;
  /** Directory names not entered. */
  readonly skip: ReadonlySet<string>;
  /** A file's language, undefined when it has none Weft knows. */
  readonly detect: (path: string) => string | undefined;
  readonly signal?: AbortSignal;
}

/** Files under `start`, as paths relative to `root` with `/` separators; `truncated` when maxFiles cut the walk short. */
export async function listFiles(
  root: string,
  start: string,
  o: ListFilesOptions,
): Promise<{ files: { file: string; language: string }[]; truncated: boolean }> {
  const files: { file: string; language: string }[] = [];
  let truncated = false;
  const walk = async (abs: string): Promise<void> => {
    const entries = (await readdir(abs, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      if (o.signal?.aborted) throw o.signal.reason;
      if (files.length >= o.maxFiles) {
        truncated = true;
        return;
      }
      const p = join(abs, e.name);
      // Symlinks are not followed: they could lead out of the sandbox or loop.
      if (e.isDirectory() && !o.skip.has(e.name)) await walk(p);
      else if (e.isFile()) {
        const language = o.detect(p);
        if (language !== undefined) files.push({ file: relative(root, p).split(sep).join('/'), language });
      }
    }
  };
  await walk(start);
  return { files, truncated };
}

/** First line of a file (up to 256 bytes), for shebang detection; undefined when unreadable. */
export function readFirstLine(p: string): string | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(p, 'r');
    const buf = Buffer.alloc(256);
    const n = readSync(fd, buf, 0, buf.length, 0);
    return buf.subarray(0, n).toString('utf8').split('\n')[0];
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
