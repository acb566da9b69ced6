// Conformance with the Python Penguin (issue 8, DESIGN §3): blueprints written the way its template,
// docs and typed-dependency contract write them parse here to the items their authors meant. The
// documents are our own, in that style, in test/fixtures/blueprints/compat/; beside each one,
// FILE.expected.yaml says what it must give: the item ids in order (and any fields worth pinning),
// the recipes, and every diagnostic as "line CODE".
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadBlueprint } from '../../../src/blueprint/load.js';
import { brief, FIXTURES } from '../helpers.js';

interface Expected {
  project_key?: string;
  items: Array<Record<string, unknown> & { id: string }>;
  recipes?: string[];
  recipe_lines?: number[];
  validation?: string[];
  diagnostics: string[];
  /** "line CODE" -> a text its message must contain. */
  messages?: Record<string, string>;
}

const DIR = join(FIXTURES, 'compat');
const SUFFIX = '.expected.yaml';
const files = readdirSync(DIR);
const documents = files.filter((f) => !f.endsWith(SUFFIX)).sort();

function expectationsOf(document: string): Expected {
  return parse(readFileSync(join(DIR, document + SUFFIX), 'utf8')) as Expected;
}

describe('the compat documents', () => {
  it('each have their expectations, and nothing else is there', () => {
    expect(documents.length).toBeGreaterThan(10);
    expect(files.filter((f) => f.endsWith(SUFFIX)).sort()).toEqual(documents.map((d) => d + SUFFIX));
  });
});

describe.each(documents)('%s', (document) => {
  const expected = expectationsOf(document);
  const bp = loadBlueprint(join(DIR, document));

  it('gives exactly the expected diagnostics, each at its line', () => {
    expect(brief(bp.diagnostics)).toEqual(expected.diagnostics);
    for (const [key, text] of Object.entries(expected.messages ?? {})) {
      const found = bp.diagnostics.find((d) => `${d.line} ${d.code}` === key);
      expect(found?.message, key).toContain(text);
    }
  });

  it('gives the items its author meant', () => {
    if (expected.project_key !== undefined) expect(bp.project_key).toBe(expected.project_key);
    expect(bp.items.map((i) => i.id)).toEqual(expected.items.map((i) => i.id));
    bp.items.forEach((item, index) => expect(item).toMatchObject(expected.items[index]!));
    if (expected.recipes !== undefined) expect(bp.recipes.map((r) => r.name)).toEqual(expected.recipes);
    if (expected.recipe_lines !== undefined)
      expect(bp.recipes.map((r) => r.line)).toEqual(expected.recipe_lines);
    if (expected.validation !== undefined)
      expect(bp.validation.map((v) => v.text)).toEqual(expected.validation);
  });
});
