export type { SimWorkerSpec, SimTaskKind, SimulationConfig, SimOracle, SimRouter, SimReport, SimDecision } from './types.js';
export { simulate } from './simulate.js';
export { strategyRouter, oracleRouter, withCircuitBreaker } from './routers.js';
export { fleets } from './fleets.js';
export { FLEET_FAMILIES, familyFleet, type FleetFamily, type FamilyOptions } from './families.js';
export { simulationConfigSchema } from './sim-config-schema.js';
