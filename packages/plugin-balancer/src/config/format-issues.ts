/** Turns zod issues into `path: message` lines that name the field, as the engine's own config errors do. */
import type { z } from 'zod';

export function formatIssues(issues: readonly z.core.$ZodIssue[], root: string): string[] {
  return issues.map((i) => {
    let path = root;
    for (const seg of i.path) path += typeof seg === 'number' ? `[${seg}]` : path ? `.${String(seg)}` : String(seg);
    return `${path || '(root)'}: ${i.message}`;
  });
}
