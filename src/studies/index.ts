/** Every study `spinflow reproduce` knows, in the order it runs them. */
import type { Study } from './study.js';
import { mcExactStudy } from './mc-exact.js';

export const STUDIES: Study[] = [mcExactStudy];
export type { Study, StudyContext, StudyOutcome, Scale } from './study.js';
