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
    expect(brief(bp.diagnostics)).toEqual(['7 BP-PARSE-022', '8 BP-PARSE-022']);
    expect(bp.diagnostics[0]!.message).toContain('items[1].depends_on');
    expect(bp.diagnostics[1]!.message).toContain('items[1].prioity');
    expect(bp.items.map((i) => i.id)).toEqual(['A-1']);
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

  it('reports specs outside depends_on and artifact_ready without a key', () => {
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
    expect(brief(bp.diagnostics)).toEqual(['5 BP-PARSE-005', '9 BP-PARSE-003']);
  });

  it('reports invalid YAML syntax with its line', () => {
    const bp = parseStructuredBlueprint('title: T\nitems:\n  - id: [A\n', 'x.yaml', 'yaml');
    expect(bp.diagnostics[0]!.code).toBe('BP-PARSE-023');
    expect(bp.items).toEqual([]);
  });

  it('reports a document that is not a mapping', () => {
    expect(brief(parseStructuredBlueprint('- a\n', 'x.yaml', 'yaml').diagnostics)).toEqual([
      '1 BP-PARSE-022',
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
