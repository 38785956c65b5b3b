/** `@weft/engine/util`: small helpers plugins share with the engine: a seeded random source, an abortable sleep, URL redaction, the mean residual life of a lognormal service time. */
export { seededRandom } from './random.js';
export { sleep } from './abort.js';
export { lognormalResidualMs } from './residual-life.js';
export { redactUrl } from '../logging/logger.js';
