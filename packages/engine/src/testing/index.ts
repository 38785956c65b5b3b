/** `@weft/engine/testing`: helpers for tests: finished spans as an indented tree of text. */
export { formatSpanTree, type SpanLike } from '../tracing/span-tree.js';
