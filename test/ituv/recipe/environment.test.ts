// The environment a recipe's processes get (PATH, the given HOME, LANG, pass_env only) and the masking
// of pass_env values, as secrets, wherever a run is recorded.
import { describe, expect, it } from 'vitest';
import { buildBaseEnv, createMasker, maskDeep, secretValues } from '../../../src/ituv/recipe/environment.js';

const source = {
  PATH: '/bin',
  LANG: 'C.UTF-8',
  SECRET: 'hunter22',
  API_KEY: 'k-123456',
  SHORT: 'ab',
  OTHER: 'x',
};

describe('buildBaseEnv', () => {
  it('keeps only PATH, the given HOME, LANG and present pass_env variables', () => {
    expect(buildBaseEnv(source, ['API_KEY', 'ABSENT'], '/tmp/home')).toEqual({
      PATH: '/bin',
      HOME: '/tmp/home',
      LANG: 'C.UTF-8',
      API_KEY: 'k-123456',
    });
  });

  it('leaves LANG out when the source has none', () => {
    expect(buildBaseEnv({ PATH: '/bin' }, [], '/h')).toEqual({ PATH: '/bin', HOME: '/h' });
  });
});

describe('masking', () => {
  it('masks pass_env values of length >= 4 only', () => {
    expect(secretValues(source, ['API_KEY', 'SHORT', 'ABSENT'])).toEqual(['k-123456']);
  });

  it('masks every occurrence, longest secret first', () => {
    const mask = createMasker(['abcd', 'abcdefgh']);
    expect(mask('x abcdefgh y abcd z abcd')).toBe('x *** y *** z ***');
  });

  it('masks strings and keys deep inside values', () => {
    const mask = createMasker(['hunter22']);
    expect(maskDeep({ a: ['pw=hunter22'], hunter22: 1, n: 5 }, mask)).toEqual({
      a: ['pw=***'],
      '***': 1,
      n: 5,
    });
  });
});
