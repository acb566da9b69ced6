// The YAML/JSON parser: the bookmarks.yaml fixture, schema and syntax errors with path, line and
// column, and what the Python Penguin writes (legacy keys, `<KEY-1>` ids, a bad field dropping only itself).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseStructuredBlueprint } from '../../src/blueprint/structured.js';
import { brief, FIXTURES } from './helpers.js';

describe('bookmarks.yaml', () => {
  const bp = parseStructuredBlueprint(
    readFileSync(join(FIXTURES, 'bookmarks.yaml'), 'utf8'),
    'bookmarks.yaml',
    'yaml',
  );

  it('parses the items, dependency spec, recipe and defaults', () => {
    expect(bp.diagnostics).toEqual([]);
    expect(bp.project_key).toBe('BOOKY');
    expect(bp.items.map((i) => [i.id, i.line, i.order])).toEqual([
      ['BOOKY-1', 7, 0],
      ['BOOKY-2', 14, 1],
      ['BOOKY-3', 21, 2],
    ]);
    expect(bp.items[2]!.dependency_specs).toEqual([
      { task_id: 'BOOKY-2', policy: 'artifact_ready', artifact_key: 'export_schema' },
    ]);
    expect(bp.items[1]).toMatchObject({ depends_on: ['BOOKY-1'], depends_lines: { 'BOOKY-1': 18 } });
    expect(bp.items[0]).toMatchObject({ recipe: 'health', agent_role: 'implementer', priority: 'high' });
    expect(bp.recipes).toEqual([
      {
        name: 'health',
        description: null,
        service: null,
        env: {},
        timeout_sec: null,
        steps: [
          {
            kind: 'shell',
            run: `node -e "console.log('ok')"`,
            expect_stdout: 'ok',
            expect_exit: 0,
            line: 35,
          },
        ],
        artifacts: [],
        line: 33,
      },
    ]);
  });
});

describe('YAML errors', () => {
  it('names the path and the line of a bad field', () => {
    const bp = parseStructuredBlueprint(
      [
        'title: T',
        'items:',
        '  - id: A-1',
        '    title: a',
        '  - id: A-2',
        '    title: b',
        '    depends_on: A-1',
        '    prioity: high',
      ].join('\n'),
      'x.yaml',
      'yaml',
    );
    // The bad field is an error, the unknown key a warning; the item itself is kept.
    expect(brief(bp.diagnostics)).toEqual(['7 BP-PARSE-022', '8 BP-PARSE-031']);
    expect(bp.diagnostics[0]!.message).toContain('items[1].depends_on');
    expect(bp.diagnostics[1]!.message).toContain('items[1]: unknown key "prioity"');
    expect(bp.diagnostics[1]!.severity).toBe('warning');
    expect(bp.items.map((i) => i.id)).toEqual(['A-1', 'A-2']);
  });

  it('accepts tasks instead of items, status completed, and reports bad policies with BP-PARSE-003', () => {
    const bp = parseStructuredBlueprint(
      [
        'tasks:',
        '  - id: A-1',
        '    title: a',
        '    status: completed',
        '  - id: A-2',
        '    title: b',
        '    depends_on: [A-1]',
        '    dependency_specs:',
        '      - task_id: A-1',
        '        policy: whenever',
      ].join('\n'),
      'x.yaml',
      'yaml',
    );
    expect(brief(bp.diagnostics)).toEqual(['10 BP-PARSE-003']);
    expect(bp.items[0]!.checked).toBe(true);
  });

  it('lets a spec alone add its dependency, and refuses artifact_ready without a key', () => {
    const bp = parseStructuredBlueprint(
      [
        'items:',
        '  - id: A-1',
        '    title: a',
        '    dependency_specs:',
        '      - task_id: B-1',
        '  - id: A-2',
        '    title: b',
        '    depends_on: [A-1]',
        '    dependency_specs: [{ task_id: A-1, policy: artifact_ready }]',
      ].join('\n'),
      'x.yaml',
      'yaml',
    );
    expect(brief(bp.diagnostics)).toEqual(['9 BP-PARSE-004']);
    expect(bp.items[0]).toMatchObject({
      depends_on: ['B-1'],
      dependency_specs: [{ task_id: 'B-1', policy: 'completion_required' }],
      depends_lines: { 'B-1': 5 },
    });
  });

  it('reports invalid YAML syntax with its line', () => {
    const bp = parseStructuredBlueprint('title: T\nitems:\n  - id: [A\n', 'x.yaml', 'yaml');
    expect(bp.diagnostics[0]!.code).toBe('BP-PARSE-023');
    expect(bp.items).toEqual([]);
  });

  it('reports a document that is not a mapping', () => {
    expect(brief(parseStructuredBlueprint('- a\n', 'x.yaml', 'yaml').diagnostics)).toEqual([
      '1 BP-PARSE-010',
    ]);
  });
});

describe('JSON', () => {
  it('parses the same model, with lines', () => {
    const json = JSON.stringify(
      { title: 'J', project_key: 'J', items: [{ id: 'J-1', title: 'one', estimate: 1, labels: ['a'] }] },
      null,
      2,
    );
    const bp = parseStructuredBlueprint(json, 'x.json', 'json');
    expect(bp.diagnostics).toEqual([]);
    expect(bp.format).toBe('json');
    expect(bp.items[0]).toMatchObject({ id: 'J-1', title: 'one', estimate: 1, labels: ['a'], line: 5 });
  });

  it('reports invalid JSON at the line of the error', () => {
    const bp = parseStructuredBlueprint('{\n  "title": "x",\n  "items": [,]\n}', 'x.json', 'json');
    expect(brief(bp.diagnostics)).toEqual(['3 BP-PARSE-023']);
  });

  it('reports a schema error with its path and line', () => {
    const bp = parseStructuredBlueprint(
      '{\n  "items": [\n    { "id": "A-1", "title": "a", "estimate": "x" }\n  ]\n}',
      'x.json',
      'json',
    );
    expect(brief(bp.diagnostics)).toEqual(['3 BP-PARSE-022']);
    expect(bp.diagnostics[0]!.message).toContain('items[0].estimate');
  });
});

describe('what the Python Penguin writes', () => {
  const yaml = (text: string) => parseStructuredBlueprint(text, 'x.yaml', 'yaml');

  it('reads the legacy dependencies key as depends_on and due_date as due', () => {
    const bp = yaml(
      [
        'items:',
        '  - { id: A-1, title: a }',
        '  - id: A-2',
        '    title: b',
        '    dependencies: [A-1]',
        '    due_date: 2026-01-31',
      ].join('\n'),
    );
    expect(bp.diagnostics).toEqual([]);
    expect(bp.items[1]).toMatchObject({
      depends_on: ['A-1'],
      depends_lines: { 'A-1': 5 },
      due: '2026-01-31',
    });
  });

  it('refuses due and due_date that disagree', () => {
    const bp = yaml('items:\n  - id: A-1\n    title: a\n    due: 2026-01-01\n    due_date: 2026-02-01\n');
    expect(brief(bp.diagnostics)).toEqual(['5 BP-PARSE-022']);
    expect(bp.items[0]!.due).toBe('2026-01-01');
  });

  it('drops only the bad field of an item, so its dependents still find it', () => {
    const bp = yaml(
      'items:\n  - id: A-1\n    title: a\n    estimate: lots\n  - id: A-2\n    title: b\n    depends_on: [A-1]\n',
    );
    expect(brief(bp.diagnostics)).toEqual(['4 BP-PARSE-022']);
    expect(bp.items.map((i) => [i.id, i.estimate])).toEqual([
      ['A-1', null],
      ['A-2', null],
    ]);
  });

  it('gives up an item only without a usable id or title', () => {
    const bp = yaml('items:\n  - id: A 1\n    title: a\n  - id: A-2\n');
    expect(brief(bp.diagnostics)).toEqual(['2 BP-PARSE-022', '4 BP-PARSE-022']);
    expect(bp.items).toEqual([]);
  });

  it('unwraps <KEY-1> in ids, references and specs', () => {
    const bp = yaml(
      'items:\n  - { id: <A-1>, title: a }\n  - id: A-2\n    title: b\n    dependency_specs: [{ task_id: <A-1>, policy: review_ready_ok }]\n',
    );
    expect(bp.diagnostics).toEqual([]);
    expect(bp.items.map((i) => i.id)).toEqual(['A-1', 'A-2']);
    expect(bp.items[1]!.dependency_specs).toEqual([{ task_id: 'A-1', policy: 'review_ready_ok' }]);
  });

  it('reports a dependency_specs value that is not a list with BP-PARSE-007', () => {
    const bp = yaml('items:\n  - id: A-1\n    title: a\n    dependency_specs: { task_id: B-1 }\n');
    expect(brief(bp.diagnostics)).toEqual(['4 BP-PARSE-007']);
  });
});

describe('JSON syntax errors name the line and column where the JSON breaks', () => {
  it.each([
    ['a trailing comma in a list', '{\n  "items": [\n    {"id": "A-1", "title": "a"},\n  ]\n}', 4, 3],
    ['a bare word', '{\n  "title": tru,\n  "items": []\n}', 2, 12],
    ['a missing comma', '{\n  "title": "t"\n  "items": []\n}', 3, 3],
    ['an unclosed document', '{\n  "title": "t",\n  "items": [\n', 4, 1],
    ['a comment', '{\n  // no comments in JSON\n  "title": "t"\n}', 2, 3],
  ])('%s', (_name, text, line, column) => {
    const bp = parseStructuredBlueprint(text, 'x.json', 'json');
    expect(bp.diagnostics).toEqual([
      expect.objectContaining({
        code: 'BP-PARSE-023',
        line,
        column,
        message: expect.stringContaining(`at line ${line}, column ${column}:`),
      }),
    ]);
  });
});
