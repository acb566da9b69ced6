// Builds Blueprint objects directly, so the store tests do not depend on the parser.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emptyItem } from '../../src/blueprint/empty.js';
import type { Blueprint, BlueprintItem } from '../../src/blueprint/model.js';

export function makeItem(id: string, overrides: Partial<BlueprintItem> = {}): BlueprintItem {
  return { ...emptyItem(id, `Task ${id}`, 1, 0), acceptance_criteria: [`${id} works`], ...overrides };
}

/** A blueprint of `items`; lines and order follow the array unless an item sets them. */
export function makeBlueprint(
  file: string,
  projectKey: string,
  items: BlueprintItem[],
  overrides: Partial<Blueprint> = {},
): Blueprint {
  return {
    file,
    format: 'markdown',
    project_key: projectKey,
    title: `${projectKey} project`,
    frontmatter: {},
    sections: [],
    items: items.map((item, i) => ({
      ...item,
      order: item.order === 0 ? i : item.order,
      line: item.line === 1 ? 10 + i : item.line,
    })),
    recipes: [],
    validation: [],
    diagnostics: [],
    ...overrides,
  };
}

/** A fresh temp directory, removed by the returned cleanup. */
export function tempDir(prefix = 'penguin-project-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
