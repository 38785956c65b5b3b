/** The field kinds a policy declares, and the JSON Schema hints that imply one. */
import { z } from 'zod';
import type { CacheFieldKind } from '@weft/engine/contracts';

export const FIELD_KINDS = ['exact', 'number', 'enum', 'url', 'path', 'headers', 'set', 'text', 'sql'] as const satisfies readonly CacheFieldKind[];

export const fieldSpecSchema = z.union([
  z.enum(FIELD_KINDS),
  z.strictObject({
    kind: z.enum(FIELD_KINDS),
    /** For `url`: the order of query parameters does not matter. Default false. */
    unordered: z.boolean().optional(),
  }),
]);

export type FieldSpecInput = z.infer<typeof fieldSpecSchema>;

export interface FieldSpec {
  readonly kind: CacheFieldKind;
  readonly unordered: boolean;
}

export const toFieldSpec = (s: FieldSpecInput): FieldSpec =>
  typeof s === 'string' ? { kind: s, unordered: false } : { kind: s.kind, unordered: s.unordered ?? false };

/** A JSON Schema node, as far as it is read here. */
interface SchemaNode {
  type?: unknown;
  format?: unknown;
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
}

/**
 * Kinds implied by a JSON Schema of the input: `format: uri` (or `iri`) → `url`, `type: number`
 * or `integer` → `number`. Array items take their path from the array (lists are transparent).
 */
export function kindsFromSchema(schema: unknown, path = '', out = new Map<string, FieldSpec>()): Map<string, FieldSpec> {
  if (schema === null || typeof schema !== 'object') return out;
  const node = schema as SchemaNode;
  const types = Array.isArray(node.type) ? node.type : [node.type];
  if (path && (node.format === 'uri' || node.format === 'iri')) out.set(path, { kind: 'url', unordered: false });
  else if (path && types.length === 1 && (types[0] === 'number' || types[0] === 'integer')) out.set(path, { kind: 'number', unordered: false });
  if (node.properties && typeof node.properties === 'object') {
    for (const [k, child] of Object.entries(node.properties)) kindsFromSchema(child, path ? `${path}.${k}` : k, out);
  }
  if (node.items && typeof node.items === 'object') kindsFromSchema(node.items, path, out);
  return out;
}
