/** A study reproduces one paper's figures (or a validation) at a quick or the paper's scale. */
export type Scale = 'quick' | 'paper';

export interface StudyContext {
  scale: Scale;
  seed: number;
  workers: number;
  onProgress?: (done: number, total: number) => void;
}

export interface StudyOutcome {
  /** Everything the study measured, for summary.json. */
  summary: Record<string, unknown>;
  /** A short human-readable report (plain text table). */
  text: string;
  /** False when a check against exact values failed. */
  passed: boolean;
}

export interface Study {
  name: string;
  title: string;
  run(ctx: StudyContext): Promise<StudyOutcome>;
}
