// Expectation matching for recipe steps, as pure functions: text (substring or `/regex/flags`), JSON
// subset with "*" for any present value, and dotted JSON paths for `capture`.

/** A compiled `expect_stdout` / `expect_stderr`. */
export interface TextExpectation {
  test(actual: string): boolean;
  /** e.g. `to contain "ok"` or `to match /^ok$/m`, for failure sentences. */
  describe: string;
}

/** An expectation that cannot be used as written (e.g. a broken regex). */
export class InvalidExpectationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidExpectationError';
  }
}

const REGEX_LITERAL = /^\/(.+)\/([dgimsuvy]*)$/s;

/** A substring expectation, or a regex one when written `/source/flags`; throws on an invalid regex. */
export function compileTextExpectation(expected: string): TextExpectation {
  const literal = REGEX_LITERAL.exec(expected);
  if (literal?.[1] !== undefined) {
    let regex: RegExp;
    try {
      // `g`/`y` make test() stateful; one test per expectation needs neither.
      regex = new RegExp(literal[1], (literal[2] ?? '').replace(/[gy]/g, ''));
    } catch (error) {
      throw new InvalidExpectationError(
        `${expected} is not a valid regular expression (${(error as Error).message})`,
      );
    }
    // Output usually ends with a newline that `$` (without m) would not pass; try without it too.
    return {
      test: (actual) => regex.test(actual) || (actual.endsWith('\n') && regex.test(actual.slice(0, -1))),
      describe: `to match ${expected}`,
    };
  }
  return { test: (actual) => actual.includes(expected), describe: `to contain ${JSON.stringify(expected)}` };
}

/**
 * Null when `actual` contains `expected` as a subset, else one phrase saying where and how it differs.
 * Objects: every expected key must match (extra actual keys are fine). Arrays: element i of the
 * expectation matches element i of the actual array, which may be longer. "*" matches any present value.
 */
export function jsonSubsetMismatch(expected: unknown, actual: unknown, path = '$'): string | null {
  if (expected === '*') return actual === undefined ? `${path} is missing` : null;
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return `${path} should be an array but is ${describeValue(actual)}`;
    if (actual.length < expected.length) {
      return `${path} should have at least ${expected.length} items but has ${actual.length}`;
    }
    for (let i = 0; i < expected.length; i++) {
      const mismatch = jsonSubsetMismatch(expected[i], actual[i], `${path}[${i}]`);
      if (mismatch) return mismatch;
    }
    return null;
  }
  if (isPlainObject(expected)) {
    if (!isPlainObject(actual)) return `${path} should be an object but is ${describeValue(actual)}`;
    for (const [key, value] of Object.entries(expected)) {
      const childPath = /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
      if (!Object.hasOwn(actual, key)) return `${childPath} is missing`;
      const mismatch = jsonSubsetMismatch(value, actual[key], childPath);
      if (mismatch) return mismatch;
    }
    return null;
  }
  if (expected === actual) return null;
  return `${path} should be ${JSON.stringify(expected)} but is ${describeValue(actual)}`;
}

/** Parses `a.b[0].c` (a leading `$.` is allowed; `.0` works like `[0]`) into keys and indexes. */
export function parseJsonPath(path: string): (string | number)[] {
  const trimmed = path.trim().replace(/^\$\.?/, '');
  if (trimmed === '') return [];
  const parts: (string | number)[] = [];
  for (const segment of trimmed.split('.')) {
    const match = /^([^[\]]*)((?:\[\d+\])*)$/.exec(segment);
    if (!match) throw new Error(`\`${path}\` is not a valid JSON path (use a.b[0].c)`);
    const [, key = '', indexes = ''] = match;
    if (key !== '') parts.push(/^\d+$/.test(key) ? Number(key) : key);
    for (const index of indexes.matchAll(/\[(\d+)\]/g)) parts.push(Number(index[1]));
  }
  return parts;
}

/** The value at `path` inside `root`, or `{ found: false }`. */
export function getJsonPath(root: unknown, path: string): { found: true; value: unknown } | { found: false } {
  let current: unknown = root;
  for (const part of parseJsonPath(path)) {
    if (typeof part === 'number' && Array.isArray(current) && part < current.length) current = current[part];
    else if (isPlainObject(current) && Object.hasOwn(current, String(part))) current = current[String(part)];
    else return { found: false };
  }
  return current === undefined ? { found: false } : { found: true, value: current };
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'missing';
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
