/** Validation through any Standard Schema, with issues turned into `path: message` lines. */
import type { StandardSchemaV1 } from '../contracts/standard-schema.js';

export type ValidationResult<T> = { ok: true; value: T } | { ok: false; issues: string[] };

export async function validateWith<T>(schema: StandardSchemaV1<unknown, T>, value: unknown, root = ''): Promise<ValidationResult<T>> {
  const result = await schema['~standard'].validate(value);
  if (result.issues) return { ok: false, issues: result.issues.map((i) => `${formatPath(i.path, root)}: ${i.message}`) };
  return { ok: true, value: result.value };
}

export function formatPath(path: ReadonlyArray<PropertyKey | StandardSchemaV1.PathSegment> | undefined, root = ''): string {
  let out = root;
  for (const seg of path ?? []) {
    const key = typeof seg === 'object' ? seg.key : seg;
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out || '(root)';
}

export function isStandardSchema(value: unknown): value is StandardSchemaV1 {
  return typeof value === 'object' && value !== null && '~standard' in value;
}
