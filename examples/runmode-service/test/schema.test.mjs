import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

test('NOTE-4 AC1 the schema names its version and the note fields', () => {
  const schema = JSON.parse(readFileSync('out/notes_schema.json', 'utf8'));
  assert.equal(schema.version, 1);
  assert.deepEqual(Object.keys(schema.note), ['id', 'title', 'body', 'slug']);
});
