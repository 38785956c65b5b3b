/** `@weft/plugin-ml/eval`: the predictor as a simulator router, with a simulated clock, to evaluate it against the balancing strategies. */
export { predictorRouter, simClock, type SimClock, type SimRouterLike, type LearningPredictor, type PredictorRouterCounts } from './predictor-router.js';
