// Recipe step expectations as pure functions: substring and `/regex/flags` text, JSON subsets with "*",
// and dotted JSON paths for capture, each failure saying where it differs.
import { describe, expect, it } from 'vitest';
import {
  compileTextExpectation,
  getJsonPath,
  jsonSubsetMismatch,
  parseJsonPath,
} from '../../../src/ituv/recipe/match.js';

describe('compileTextExpectation', () => {
  it('matches a substring', () => {
    const expectation = compileTextExpectation('world');
    expect(expectation.test('hello world\n')).toBe(true);
    expect(expectation.test('hello')).toBe(false);
    expect(expectation.describe).toBe('to contain "world"');
  });

  it('matches /regex/flags', () => {
    const expectation = compileTextExpectation('/^ok \\d+$/im');
    expect(expectation.test('x\nOK 42\ny')).toBe(true);
    expect(expectation.test('ok forty')).toBe(false);
  });

  it('ignores the stateful g flag so repeated tests agree', () => {
    const expectation = compileTextExpectation('/a/g');
    expect(expectation.test('a')).toBe(true);
    expect(expectation.test('a')).toBe(true);
  });

  it('rejects an invalid regex with its text', () => {
    expect(() => compileTextExpectation('/(/')).toThrow(/\/\(\/ is not a valid regular expression/);
  });

  it('treats a lone slash as a substring', () => {
    expect(compileTextExpectation('/').test('a/b')).toBe(true);
  });
});

describe('jsonSubsetMismatch', () => {
  const actual = { id: 7, name: 'pen', tags: ['a', 'b', 'c'], owner: { name: 'ann', age: 3 }, note: null };

  it('accepts a subset, extra keys and "*" for present values', () => {
    expect(jsonSubsetMismatch({ id: '*', owner: { name: 'ann' }, note: null }, actual)).toBeNull();
  });

  it('matches arrays element-wise in order as a prefix subset', () => {
    expect(jsonSubsetMismatch({ tags: ['a', '*'] }, actual)).toBeNull();
    expect(jsonSubsetMismatch({ tags: ['b'] }, actual)).toBe('$.tags[0] should be "b" but is "a"');
    expect(jsonSubsetMismatch({ tags: ['a', 'b', 'c', 'd'] }, actual)).toBe(
      '$.tags should have at least 4 items but has 3',
    );
  });

  it('says where a value differs or is missing', () => {
    expect(jsonSubsetMismatch({ owner: { age: 4 } }, actual)).toBe('$.owner.age should be 4 but is 3');
    expect(jsonSubsetMismatch({ missing: '*' }, actual)).toBe('$.missing is missing');
    expect(jsonSubsetMismatch({ id: '7' }, actual)).toBe('$.id should be "7" but is 7');
    expect(jsonSubsetMismatch({ owner: [] }, actual)).toMatch(/\$\.owner should be an array/);
    expect(jsonSubsetMismatch({ 'odd key': 1 }, actual)).toBe('$["odd key"] is missing');
  });

  it('compares objects inside arrays as subsets', () => {
    expect(jsonSubsetMismatch([{ id: 1 }], [{ id: 1, x: 2 }, { id: 2 }])).toBeNull();
  });
});

describe('JSON paths', () => {
  it('parses dotted paths with indexes', () => {
    expect(parseJsonPath('item.tags[1]')).toEqual(['item', 'tags', 1]);
    expect(parseJsonPath('$.items.0.id')).toEqual(['items', 0, 'id']);
    expect(parseJsonPath('m[0][2]')).toEqual(['m', 0, 2]);
  });

  it('finds values and reports missing ones', () => {
    const root = { item: { id: 3, tags: ['x', 'y'] }, zero: 0 };
    expect(getJsonPath(root, 'item.tags[1]')).toEqual({ found: true, value: 'y' });
    expect(getJsonPath(root, 'zero')).toEqual({ found: true, value: 0 });
    expect(getJsonPath(root, 'item.tags[5]')).toEqual({ found: false });
    expect(getJsonPath(root, 'item.id.deeper')).toEqual({ found: false });
  });

  it('rejects malformed paths', () => {
    expect(() => parseJsonPath('a[x]')).toThrow(/not a valid JSON path/);
  });
});

describe('regex expectations and trailing newlines', () => {
  it('lets $ match before the final newline of an output', () => {
    expect(compileTextExpectation('/^unset$/').test('unset\n')).toBe(true);
    expect(compileTextExpectation('/^lo\\n$/').test('lo\n')).toBe(true);
    expect(compileTextExpectation('/^unset$/').test('unset\nmore\n')).toBe(false);
  });
});
