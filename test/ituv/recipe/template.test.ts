// `{{ name }}` expansion for recipe steps: vars, then the previous response, then the recipe env, never
// the host environment; unknown names fail clearly; whole placeholders keep their type.
import { describe, expect, it } from 'vitest';
import {
  expandDeep,
  expandRecord,
  expandString,
  UnknownTemplateNameError,
  type TemplateScope,
} from '../../../src/ituv/recipe/template.js';

const scope: TemplateScope = {
  vars: { id: '42', shared: 'from-vars' },
  response: { shared: 'from-response', count: 3, item: { name: 'pen' }, list: [{ id: 9 }] },
  env: { shared: 'from-env', PORT: '8080' },
};

describe('expandString', () => {
  it('expands from vars, then the previous response, then the recipe env', () => {
    expect(expandString('/items/{{ id }}?n={{count}}&p={{  PORT }}', scope)).toBe('/items/42?n=3&p=8080');
    expect(expandString('{{ shared }}', scope)).toBe('from-vars');
    expect(expandString('{{ shared }}', { ...scope, vars: {} })).toBe('from-response');
    expect(expandString('{{ shared }}', { ...scope, vars: {}, response: null })).toBe('from-env');
  });

  it('reaches into the previous response with dotted names', () => {
    expect(expandString('{{ item.name }}-{{ list[0].id }}', scope)).toBe('pen-9');
  });

  it('writes non-string values as JSON', () => {
    expect(expandString('{{ item }}', scope)).toBe('{"name":"pen"}');
  });

  it('fails clearly on an unknown name', () => {
    expect(() => expandString('x {{ nope }}', scope)).toThrow(UnknownTemplateNameError);
    expect(() => expandString('x {{ nope }}', scope)).toThrow(
      '{{ nope }} is not a captured variable, a field of the previous response or a recipe environment variable',
    );
  });

  it('never reads the host environment', () => {
    process.env.PENGUIN_TEMPLATE_HOST_ONLY = 'leak';
    try {
      expect(() => expandString('{{ PENGUIN_TEMPLATE_HOST_ONLY }}', scope)).toThrow(UnknownTemplateNameError);
    } finally {
      delete process.env.PENGUIN_TEMPLATE_HOST_ONLY;
    }
  });

  it('leaves text without placeholders alone', () => {
    expect(expandString('echo {not} a {{template', scope)).toBe('echo {not} a {{template');
  });
});

describe('expandDeep', () => {
  it('expands strings deep inside objects and arrays, keeping the type of a whole placeholder', () => {
    const body = { name: 'item {{ id }}', count: '{{ count }}', nested: [{ ref: '{{ id }}' }, 5, true] };
    expect(expandDeep(body, scope)).toEqual({ name: 'item 42', count: 3, nested: [{ ref: '42' }, 5, true] });
  });
});

describe('expandRecord', () => {
  it('expands each value', () => {
    expect(expandRecord({ A: '{{ PORT }}', B: 'plain' }, scope)).toEqual({ A: '8080', B: 'plain' });
    expect(expandRecord(undefined, scope)).toEqual({});
  });
});
