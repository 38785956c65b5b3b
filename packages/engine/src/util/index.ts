/** `@weft/engine/util`: small helpers plugins share with the engine: a seeded random source, an abortable sleep, URL redaction. */
export { seededRandom } from './random.js';
export { sleep } from './abort.js';
export { redactUrl } from '../logging/logger.js';
