/** Turning command-line strings into checked values; every failure is a one-line InputError. */
import { InputError } from '../errors.js';

export function parseNumber(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const x = Number(value.trim());
  if (value.trim() === '' || !Number.isFinite(x)) throw new InputError(`${flag} ${JSON.stringify(value)} is not a number`);
  return x;
}

export function parseInteger(flag: string, value: string | undefined): number | undefined {
  const x = parseNumber(flag, value);
  if (x !== undefined && !Number.isInteger(x)) throw new InputError(`${flag} ${value} is not allowed: expected an integer`);
  return x;
}

/**
 * A comma list (`2.0,2.5,3.0`) or an inclusive range `start:stop:step` (`1.0:3.2:0.1`); range
 * points are computed as start + k·step and rounded to 12 significant digits, so 3.2 is included.
 */
export function parseNumberList(flag: string, value: string | undefined): number[] | undefined {
  if (value === undefined) return undefined;
  if (value.includes(':')) {
    const parts = value.split(':');
    if (parts.length !== 3) throw new InputError(`${flag} ${value} is not allowed: a range is start:stop:step`);
    const [a, b, s] = parts.map((p) => parseNumber(flag, p) as number);
    if (!(s > 0) || b < a) throw new InputError(`${flag} ${value} is not allowed: a range needs start ≤ stop and step > 0`);
    const n = Math.floor((b - a) / s + 1e-9);
    if (n > 1e6) throw new InputError(`${flag} ${value} has more than 10^6 points`);
    return Array.from({ length: n + 1 }, (_, k) => Number((a + k * s).toPrecision(12)));
  }
  return value.split(',').map((p) => parseNumber(flag, p) as number);
}
