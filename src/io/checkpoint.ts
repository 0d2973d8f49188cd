/**
 * The one checkpoint mechanism: a versioned state written atomically (temporary file, fsync,
 * rename), so a run killed at any moment leaves either the previous checkpoint or the new one.
 * States are serialized with v8.serialize, which keeps typed arrays and Maps as they are.
 *
 * A checkpoint names its `kind` and a `key` describing the run it belongs to (for example the
 * JSON of every chain's parameters); loading it for a different run is an error, never a silent
 * mix of two runs.
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { InputError } from '../errors.js';
import { writeFileAtomicSync } from './files.js';

export { writeFileAtomicSync };

const FORMAT = 'spinflow-checkpoint';
const VERSION = 1;

interface Envelope<T> {
  format: string;
  version: number;
  kind: string;
  key: string;
  state: T;
}

/**
 * Checks before any work that `path` can be written (its folder exists or can be made, and a file
 * can be created there), so a bad path is a one-line InputError, not a failure after the run.
 */
export function ensureWritable(path: string, flag: string): void {
  const probe = join(dirname(path), `.${basename(path)}.${process.pid}.probe`);
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileAtomicSync(probe, '');
    rmSync(probe, { force: true });
  } catch (e) {
    throw new InputError(`${flag} ${path} cannot be written: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

export function saveCheckpoint<T>(path: string, kind: string, key: string, state: T): void {
  const envelope: Envelope<T> = { format: FORMAT, version: VERSION, kind, key, state };
  writeFileAtomicSync(path, serialize(envelope));
}

/** The saved state, or null when there is no checkpoint at `path` yet. */
export function loadCheckpoint<T>(path: string, kind: string, key: string): T | null {
  if (!existsSync(path)) return null;
  let envelope: Envelope<T>;
  try {
    envelope = deserialize(readFileSync(path)) as Envelope<T>;
  } catch {
    throw new InputError(`checkpoint ${path} is not readable as a spinflow checkpoint: remove it or choose another path`);
  }
  if (envelope?.format !== FORMAT || envelope.version !== VERSION) {
    throw new InputError(`checkpoint ${path} has format ${envelope?.format} v${envelope?.version}: this spinflow reads ${FORMAT} v${VERSION}`);
  }
  if (envelope.kind !== kind || envelope.key !== key) {
    throw new InputError(`checkpoint ${path} belongs to a different ${envelope.kind} run: remove it, or rerun with the options that made it`);
  }
  return envelope.state;
}

/** Checkpoint cadence: a `due()` that answers true once every `seconds` (0: at every call). */
export function checkpointTimer(seconds: number): () => boolean {
  // SPINFLOW_CHECKPOINT_SECONDS overrides every interval: shorter on pre-emptible cluster nodes (and in tests)
  const override = Number(process.env.SPINFLOW_CHECKPOINT_SECONDS);
  if (process.env.SPINFLOW_CHECKPOINT_SECONDS && Number.isFinite(override) && override >= 0) seconds = override;
  let last = performance.now();
  return () => {
    const now = performance.now();
    if (now - last < seconds * 1000) return false;
    last = now;
    return true;
  };
}
