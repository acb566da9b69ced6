// `{{ name }}` expansion for recipe steps (DESIGN §3): captured vars first, then the previous JSON
// response's top-level fields, then the recipe environment. Never the host environment.
import { getJsonPath, isPlainObject } from './match.js';

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_.\-[\]]*)\s*\}\}/g;
const WHOLE_PLACEHOLDER = /^\{\{\s*([A-Za-z_][A-Za-z0-9_.\-[\]]*)\s*\}\}$/;

/** Where a name is looked up, in order. */
export interface TemplateScope {
  vars: Readonly<Record<string, string>>;
  /** The previous http response's parsed JSON body, if any. */
  response: unknown;
  env: Readonly<Record<string, string | undefined>>;
}

/** A `{{ name }}` that none of the scopes defines. */
export class UnknownTemplateNameError extends Error {
  constructor(readonly templateName: string) {
    super(
      `{{ ${templateName} }} is not a captured variable, a field of the previous response or a recipe environment variable`,
    );
    this.name = 'UnknownTemplateNameError';
  }
}

/** The value of `name`, or undefined when no scope has it. */
export function lookupName(name: string, scope: TemplateScope): unknown {
  if (Object.hasOwn(scope.vars, name)) return scope.vars[name];
  if (isPlainObject(scope.response) && Object.hasOwn(scope.response, name)) return scope.response[name];
  // A dotted name (`item.id`, `items[0].id`) reaches into the previous response.
  if (/[.[]/.test(name) && scope.response !== undefined) {
    try {
      const found = getJsonPath(scope.response, name);
      if (found.found) return found.value;
    } catch {
      // Not a valid path: the name is simply unknown.
    }
  }
  if (Object.hasOwn(scope.env, name) && scope.env[name] !== undefined) return scope.env[name];
  return undefined;
}

/** Expands every `{{ name }}` in `text`; throws UnknownTemplateNameError for an undefined name. */
export function expandString(text: string, scope: TemplateScope): string {
  return text.replace(PLACEHOLDER, (_match, name: string) => stringify(resolve(name, scope)));
}

/**
 * Expands strings anywhere inside a JSON-like value (bodies, expectations). A string that is exactly
 * one placeholder takes the value's own type, so `{"id": "{{ id }}"}` can carry a number.
 */
export function expandDeep(value: unknown, scope: TemplateScope): unknown {
  if (typeof value === 'string') {
    const whole = WHOLE_PLACEHOLDER.exec(value);
    return whole?.[1] === undefined ? expandString(value, scope) : resolve(whole[1], scope);
  }
  if (Array.isArray(value)) return value.map((item) => expandDeep(item, scope));
  if (isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, expandDeep(item, scope)]));
  }
  return value;
}

/** Expands each value of a string map (env, headers). */
export function expandRecord(
  record: Readonly<Record<string, string>> | undefined,
  scope: TemplateScope,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(record ?? {})) out[key] = expandString(String(value), scope);
  return out;
}

/** How a value is written into text: strings as they are, anything else as JSON. */
export function stringify(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return '';
  return JSON.stringify(value);
}

function resolve(name: string, scope: TemplateScope): unknown {
  const value = lookupName(name, scope);
  if (value === undefined) throw new UnknownTemplateNameError(name);
  return value;
}
