// The environment a recipe's processes see (DESIGN §5 USE): PATH, a throwaway HOME, LANG, the
// `pass_env` variables, then the recipe's own literal values. Values of `pass_env` variables are
// treated as secrets and masked wherever the run is recorded.
import { isPlainObject } from './match.js';

export const MASK = '***';
/** Shorter values would mask innocent text everywhere (e.g. "1" or "yes"). */
const MIN_SECRET_LENGTH = 4;

/** The base environment of every process a recipe runs, before recipe/service/step `env`. */
export function buildBaseEnv(
  sourceEnv: NodeJS.ProcessEnv,
  passEnv: readonly string[],
  home: string,
): Record<string, string> {
  const env: Record<string, string> = { PATH: sourceEnv.PATH ?? '/usr/local/bin:/usr/bin:/bin', HOME: home };
  if (sourceEnv.LANG !== undefined) env.LANG = sourceEnv.LANG;
  for (const name of passEnv) {
    const value = sourceEnv[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

/** The values to mask: those of `pass_env` variables present in `sourceEnv`, longest first. */
export function secretValues(sourceEnv: NodeJS.ProcessEnv, passEnv: readonly string[]): string[] {
  const values = new Set<string>();
  for (const name of passEnv) {
    const value = sourceEnv[name];
    if (value !== undefined && value.length >= MIN_SECRET_LENGTH) values.add(value);
  }
  return [...values].sort((a, b) => b.length - a.length);
}

export type Masker = (text: string) => string;

/** Replaces every occurrence of each secret with `***`. */
export function createMasker(secrets: readonly string[]): Masker {
  // Longest first, so a secret containing another is masked whole.
  const ordered = [...new Set(secrets)].filter((secret) => secret !== '').sort((a, b) => b.length - a.length);
  if (ordered.length === 0) return (text) => text;
  return (text) => ordered.reduce((masked, secret) => masked.split(secret).join(MASK), text);
}

/** Masks every string (and object key) inside a JSON-like value. */
export function maskDeep<T>(value: T, mask: Masker): T {
  return maskValue(value, mask) as T;
}

function maskValue(value: unknown, mask: Masker): unknown {
  if (typeof value === 'string') return mask(value);
  if (Array.isArray(value)) return value.map((item) => maskValue(item, mask));
  if (isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [mask(key), maskValue(item, mask)]));
  }
  return value;
}
