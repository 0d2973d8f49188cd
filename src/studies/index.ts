/** Every study `spinflow reproduce` knows, in the order it runs them. */
import type { Study } from './study.js';
import { mcExactStudy } from './mc-exact.js';
import { aeFlowStudy } from './ae-flow.js';
import { conservedCnnStudy } from './conserved-cnn.js';
import { rbmStudy } from './rbm.js';
import { madeStudy } from './made.js';
import { neuralRgStudy } from './neuralrg.js';
import { mlrgStudy } from './mlrg.js';

export const STUDIES: Study[] = [mcExactStudy as unknown as Study, aeFlowStudy as unknown as Study, conservedCnnStudy as unknown as Study, rbmStudy as unknown as Study, madeStudy as unknown as Study, neuralRgStudy as unknown as Study, mlrgStudy as unknown as Study];
export { configure } from './study.js';
export type { Study, StudyContext, StudyOutcome, Scale, ParamSpec, StudyConfig } from './study.js';
