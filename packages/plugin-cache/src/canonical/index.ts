/** `@weft/plugin-cache/canonical`: how a task becomes its cache key: per-type policies, field kinds and their canonical forms, and the lexical and entity checks on a near hit. */
export { typePolicySchema, defaultsPolicySchema, resolvePolicy } from '../config.js';
export { FIELD_KINDS, fieldSpecSchema, kindsFromSchema, type FieldSpec, type FieldSpecInput } from '../fields/field-kind.js';
export { canonicalUrl } from '../fields/url-field.js';
export { canonicalPath } from '../fields/path-field.js';
export { canonicalSql } from '../fields/sql-field.js';
export { canonicalHeaders } from '../fields/headers-field.js';
export { unicodeForm } from '../fields/unicode.js';
export { sameEntities } from './entities.js';
export { canonicalise, type CanonicalTask } from './canonicalise.js';
export { sameWords } from './lexical-check.js';
export { guardSignature } from './guards.js';
export { stableJson } from './stable-json.js';
