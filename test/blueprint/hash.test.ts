// The item content hash sync stores and drift compares: its bytes are pinned by a golden value (a change
// would re-mark every synced task), every content field moves it, and position and checkbox never do.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CONTENT_FIELDS, itemContentHash } from '../../src/blueprint/hash.js';
import type { BlueprintItem } from '../../src/blueprint/model.js';

/** An item with every content field set to something other than its empty value. */
function fullItem(): BlueprintItem {
  return {
    id: 'BOOK-2',
    title: 'Add "bookmarks" — with ünïcode',
    line: 12,
    parent_id: 'BOOK-1',
    description: 'Line one\nline two',
    acceptance_criteria: ['saves a bookmark', 'lists bookmarks'],
    depends_on: ['BOOK-1'],
    dependency_specs: [{ task_id: 'BOOK-1', policy: 'artifact_ready', artifact_key: 'schema' }],
    recipe: 'api',
    tests: ['test/bookmarks.test.ts'],
    priority: 'high',
    labels: ['api', 'db'],
    assignees: ['ana'],
    required_tools: ['sqlite3'],
    skills: ['sql'],
    due: '2025-03-01',
    sequence: 'beta',
    estimate: 3,
    effort: 2,
    value: 5,
    risk: 1,
    agent_role: 'backend',
    parallelizable: true,
    batch: 'b1',
    checked: false,
    order: 4,
  };
}

/** The stored format, spelled out independently: sha256 of the JSON array of the fields in order. */
function reference(item: BlueprintItem): string {
  const content = CONTENT_FIELDS.map((field) => item[field] ?? null);
  return createHash('sha256').update(JSON.stringify(content)).digest('hex');
}

describe('itemContentHash', () => {
  it('is sha256 of the JSON array of the content fields, so hashes already stored stay valid', () => {
    const item = fullItem();
    expect(itemContentHash(item)).toBe(reference(item));
    // Golden value of the format as first shipped; a change here re-marks every synced task as changed.
    expect(itemContentHash(item)).toBe('a723ffee47e0e222b31f504c226151b425e3e7434c34a9223ac036873e1cecfe');
  });

  it('hashes every field of an item except its position, checkbox and reference lines', () => {
    const positional = new Set(['id', 'line', 'order', 'checked', 'depends_lines']);
    const keys = Object.keys(fullItem()).filter((key) => !positional.has(key));
    expect([...CONTENT_FIELDS].sort()).toEqual(keys.sort());
  });

  it('changes with every content field and ignores line, order and the checkbox', () => {
    const base = itemContentHash(fullItem());
    for (const field of CONTENT_FIELDS) {
      const item = fullItem() as unknown as Record<string, unknown>;
      item[field] = null;
      expect(itemContentHash(item as unknown as BlueprintItem), field).not.toBe(base);
    }
    expect(itemContentHash({ ...fullItem(), line: 99, order: 0, checked: true })).toBe(base);
  });

  it('treats an absent optional field as null', () => {
    const item = { ...fullItem(), batch: null };
    const withoutBatch = { ...item } as Partial<BlueprintItem>;
    delete withoutBatch.batch;
    expect(itemContentHash(withoutBatch as BlueprintItem)).toBe(itemContentHash(item));
    expect(itemContentHash(item)).toBe(reference(item));
  });
});
