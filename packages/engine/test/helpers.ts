/** Test helpers: an engine with an in-memory span exporter (the real SDK, not a fake tracer). */
export { tracedEngine, parentId, type TracedEngine } from '../../../test-support/traced-engine.js';
