/** spinflow's library API. */
export * from './errors.js';
export * from './lattice/square.js';
export * from './sampling/rng.js';
export type { Rule, RuleInit, IsingParams } from './sampling/rule.js';
export * from './sampling/algorithms.js';
export * from './sampling/model.js';
export * from './sampling/chain.js';
export * from './sampling/pool.js';
export * from './sampling/simulate.js';
export * from './observables/analysis.js';
export * from './observables/correlation.js';
export * from './observables/moments.js';
export * from './observables/summary.js';
export * from './exact/index.js';
export { STUDIES } from './studies/index.js';
export type { Study, StudyContext, StudyOutcome, Scale } from './studies/index.js';
