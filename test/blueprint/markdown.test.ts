// The markdown parser: the bookmarks fixture under both outline engines, then frontmatter, task ids,
// metadata, dependency specs, recipes and validation, the looser forms people write (frontmatter after
// blank lines, `KEY-1:` idents, fenced recipes), and too-deep nesting refused with one located error.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseMarkdownBlueprint } from '../../src/blueprint/markdown.js';
import { brief, FIXTURES } from './helpers.js';

const bookmarks = readFileSync(join(FIXTURES, 'bookmarks.md'), 'utf8');

function md(body: string, file = 'spec.md') {
  return parseMarkdownBlueprint(body, file);
}

describe('bookmarks.md', () => {
  for (const engine of ['auto', 'mdast'] as const) {
    describe(`engine ${engine}`, () => {
      const bp = parseMarkdownBlueprint(bookmarks, 'bookmarks.md', { engine });
      const item = (id: string) => bp.items.find((i) => i.id === id)!;

      it('parses with no diagnostics and the frontmatter', () => {
        expect(bp.diagnostics).toEqual([]);
        expect(bp.project_key).toBe('BOOK');
        expect(bp.title).toBe('Bookmarks Service');
        expect(bp.frontmatter.version).toBe('0.2.0');
        expect(bp.frontmatter.ituv?.phase_timebox_sec?.implement).toBe(900);
      });

      it('finds the tasks at their lines, never the ones in comments or fences', () => {
        expect(bp.items.map((i) => [i.id, i.line, i.parent_id, i.order])).toEqual([
          ['BOOK-1', 45, null, 0],
          ['BOOK-2', 52, null, 1],
          ['BOOK-3', 60, null, 2],
          ['BOOK-3A', 69, 'BOOK-3', 3],
          ['BOOK-4', 72, null, 4],
          ['BOOK-5', 78, null, 5],
        ]);
        // Section text stays raw; only parsed content must be free of the fake tasks.
        expect(JSON.stringify([bp.items, bp.validation, bp.diagnostics])).not.toMatch(/FAKE-/);
      });

      it('reads metadata, attributes and agent defaults', () => {
        expect(item('BOOK-1')).toMatchObject({
          title: 'Service skeleton with health endpoint',
          labels: ['backend', 'api'],
          priority: 'high',
          estimate: 1,
          effort: 1,
          value: 5,
          sequence: 'alpha',
          recipe: 'health',
          tests: ['test/health.test.ts'],
          description: 'Entry point, router and a health route.',
          acceptance_criteria: [
            'GET /health answers 200 with {"status":"ok"}.',
            'The server port comes from the PORT variable.',
          ],
          agent_role: 'implementer',
          skills: ['typescript', 'node'],
          checked: false,
        });
        expect(item('BOOK-2').description).toBe(
          'Schema, migrations and a small repository module.\nKeep the SQL in one file.',
        );
        expect(item('BOOK-3').labels).toEqual(['api,crud']);
        expect(item('BOOK-3').depends_on).toEqual(['BOOK-1', 'BOOK-2']);
        expect(item('BOOK-3').dependency_specs).toEqual([{ task_id: 'BOOK-2', policy: 'review_ready_ok' }]);
        expect(item('BOOK-3A')).toMatchObject({ agent_role: 'qa', parallelizable: true, estimate: 1 });
        expect(item('BOOK-4').depends_on).toEqual(['BOOK-3']);
        expect(item('BOOK-4').depends_lines).toEqual({ 'BOOK-3': 75 });
        expect(item('BOOK-4').due).toBe('2026-12-01');
      });

      it('reads the three recipes with every step field and line', () => {
        expect(bp.recipes.map((r) => [r.name, r.line, r.steps.length])).toEqual([
          ['health', 87, 1],
          ['crud', 99, 3],
          ['search', 117, 1],
        ]);
        const [health, crud, search] = bp.recipes;
        expect(health!.service).toEqual({
          command: 'node dist/server.js',
          env: { PORT: '18080' },
          ready: 'http://127.0.0.1:18080/health',
        });
        expect(health!.steps[0]).toEqual({
          kind: 'http',
          run: 'GET /health',
          expect_status: 200,
          expect_json: { status: 'ok' },
          covers: [1],
          line: 94,
        });
        expect(crud!.steps[0]).toMatchObject({
          kind: 'http',
          run: 'POST /bookmarks',
          body: { url: 'https://example.org/a', title: 'A', tags: ['x'] },
          capture: { id: 'id' },
          expect_json: { id: '*' },
          line: 106,
        });
        expect(crud!.steps[2]).toMatchObject({ kind: 'node', covers: [2], line: 114 });
        expect(search!.steps[0]).toEqual({
          kind: 'shell',
          run: 'node scripts/search-smoke.js x',
          expect_exit: 0,
          expect_stdout: '/^ok \\d+ results$/m',
          line: 120,
        });
      });

      it('keeps every section and the validation items', () => {
        expect(bp.sections.map((s) => [s.name, s.line])).toEqual([
          ['Overview', 30],
          ['Goals', 33],
          ['Non-Goals', 37],
          ['Context', 40],
          ['Tasks', 44],
          ['Usage Recipes', 86],
          ['Validation', 124],
          ['Risks / Open Questions', 128],
        ]);
        expect(bp.sections[0]!.text).toContain('stores bookmarks');
        expect(bp.sections[0]!.endLine).toBe(31);
        expect(bp.validation).toEqual([
          { text: 'All recipes pass against a fresh database.', checked: false, line: 125 },
          { text: 'No endpoint answers 500 on bad input.', checked: false, line: 126 },
        ]);
      });
    });
  }
});

describe('frontmatter and project key', () => {
  it('slugs the title when there is no project_key', () => {
    expect(md('---\ntitle: Bookmarks Service\n---\n').project_key).toBe('BOOKMARKS-SERVICE');
  });

  it('falls back to the file name stem', () => {
    expect(md('## Tasks\n', 'context/specs/my-api.md').project_key).toBe('MY-API');
  });

  it('reports bad YAML at its absolute line', () => {
    const bp = md('---\ntitle: ok\nkey: [unclosed\n---\n## Tasks\n');
    expect(bp.diagnostics[0]).toMatchObject({ code: 'BP-PARSE-009', severity: 'error' });
    expect(bp.diagnostics[0]!.line).toBeGreaterThanOrEqual(3);
  });

  it('reports a frontmatter that is not a mapping', () => {
    expect(brief(md('---\n- a\n- b\n---\n').diagnostics)).toEqual(['2 BP-PARSE-009']);
  });

  it('reports a known field with the wrong type at its line and keeps the rest', () => {
    const bp = md('---\ntitle: T\nproject_key: K\nowners: 5\n---\n');
    expect(brief(bp.diagnostics)).toEqual(['4 BP-PARSE-009']);
    expect(bp.diagnostics[0]!.message).toContain('owners');
    expect(bp.project_key).toBe('K');
  });

  it('keeps line numbers absolute after the frontmatter', () => {
    const bp = md('---\ntitle: T\n---\n## Tasks\n- [x] T-1 Done thing\n');
    expect(bp.items[0]).toMatchObject({ id: 'T-1', line: 5, checked: true });
  });
});

describe('tasks', () => {
  it('accepts wrapped idents, dotted idents and ids from metadata', () => {
    const bp = md(
      '## Tasks (MVP)\n- [ ] <KEY-2A> Wrapped\n- [ ] WEB-1.2 Dotted\n- [ ] Login flow {id=login}\n- [X] AUTH-1\n',
    );
    expect(bp.items.map((i) => [i.id, i.title, i.checked])).toEqual([
      ['KEY-2A', 'Wrapped', false],
      ['WEB-1.2', 'Dotted', false],
      ['login', 'Login flow', false],
      ['AUTH-1', '', true],
    ]);
    expect(bp.sections[0]).toMatchObject({ name: 'Tasks', heading: 'Tasks (MVP)' });
  });

  it('never invents an id from a title', () => {
    const bp = md('## Tasks\n- [ ] Must-have feature\n');
    expect(bp.items).toEqual([]);
    expect(brief(bp.diagnostics)).toEqual(['2 BP-PARSE-028']);
  });

  it('ignores checklist items outside Tasks and inside multi-line comments', () => {
    const bp = md(
      '## Notes\n- [ ] N-1 not a task\n## Tasks\n<!--\n- [ ] C-1 hidden\n\n- [ ] C-2 hidden\n-->\n- [ ] T-1 real\n',
    );
    expect(bp.items.map((i) => i.id)).toEqual(['T-1']);
  });

  it('nests subtasks two levels deep', () => {
    const bp = md('## Tasks\n- [ ] A-1 a\n  - [ ] A-2 b\n    - [ ] A-3 c\n- [ ] A-4 d\n');
    expect(bp.items.map((i) => [i.id, i.parent_id])).toEqual([
      ['A-1', null],
      ['A-2', 'A-1'],
      ['A-3', 'A-2'],
      ['A-4', null],
    ]);
  });

  it('warns about unknown attribute keys and plain bullets, naming them', () => {
    const bp = md('## Tasks\n- [ ] A-1 a\n  - Owner: bob\n  - just a note\n');
    expect(brief(bp.diagnostics)).toEqual(['3 BP-PARSE-031', '4 BP-PARSE-031']);
    expect(bp.diagnostics[0]!.message).toContain('Owner');
    expect(bp.diagnostics.every((d) => d.severity === 'warning')).toBe(true);
  });

  it('reads attribute keys case-insensitively and block lists of tests', () => {
    const bp = md(
      '## Tasks\n- [ ] A-1 a\n  - ACCEPTANCE: one\n  - tests:\n    - test/a.test.ts\n    - test/b.test.ts\n  - Tests: x, y\n',
    );
    expect(bp.items[0]).toMatchObject({
      acceptance_criteria: ['one'],
      tests: ['test/a.test.ts', 'test/b.test.ts', 'x', 'y'],
    });
  });

  it('reports bad dependency specs at the right lines', () => {
    const bp = md(
      [
        '## Tasks',
        '- [ ] A-1 a',
        '- [ ] A-2 b',
        '  - Depends: A-1',
        '  - Dependency Specs:',
        '    - task_id: A-1',
        '      policy: artifact_ready',
        '    - task_id: A-1',
        '      policy: completion_required',
        '      artifact_key: x',
        '- [ ] A-3 c',
        '  - Dependency Specs:',
        '    - task_id: [oops',
      ].join('\n'),
    );
    // artifact_ready without a key is refused; a key on completion_required is ignored with a word.
    expect(brief(bp.diagnostics)).toEqual(['6 BP-PARSE-004', '10 BP-PARSE-033', '13 BP-PARSE-029']);
    expect(bp.diagnostics[1]!.severity).toBe('warning');
    expect(bp.items[1]!.dependency_specs).toEqual([{ task_id: 'A-1', policy: 'completion_required' }]);
  });

  it('reports a dependency that is not an id', () => {
    const bp = md('## Tasks\n- [ ] A-1 a\n  - Depends: A-2 and A-3\n');
    expect(brief(bp.diagnostics)).toEqual(['3 BP-PARSE-026']);
  });

  it('reads metadata on the last line of a wrapped task', () => {
    const bp = md('## Tasks\n- [ ] A-1 a long\n  title {estimate=x}\n');
    expect(bp.items[0]!.title).toBe('a long title');
    expect(bp.diagnostics[0]).toMatchObject({ code: 'BP-PARSE-027', line: 3, column: 10 });
  });

  it('reports a conflicting metadata id', () => {
    expect(brief(md('## Tasks\n- [ ] A-1 a {id=B-1}\n').diagnostics)).toEqual(['2 BP-PARSE-027']);
  });
});

describe('usage recipes and validation', () => {
  it('reports invalid recipe YAML and schema problems at their lines', () => {
    const bad = md('## Usage Recipes\n- recipe: a\n  steps: [unclosed\n');
    expect(bad.diagnostics.map((d) => d.code)).toContain('BP-PARSE-029');
    const schema = md(
      '## Usage Recipes\n- recipe: a\n  steps:\n    - shell: ls\n      http: GET /\n    - shell: ls\n      expect_exit: nope\n',
    );
    expect(brief(schema.diagnostics)).toEqual(['4 BP-PARSE-030', '7 BP-PARSE-030']);
    expect(schema.diagnostics[0]!.message).toContain('recipe "a"');
    expect(schema.diagnostics[1]!.message).toContain('steps[1].expect_exit');
  });

  it('leaves fences and comments out of the recipe YAML', () => {
    const bp = md(
      '## Usage Recipes\n<!-- a note -->\n- name: a\n  steps:\n    - shell: ls\n```\nnot: [yaml\n```\n',
    );
    expect(bp.diagnostics).toEqual([]);
    expect(bp.recipes[0]).toMatchObject({
      name: 'a',
      line: 3,
      steps: [{ kind: 'shell', run: 'ls', line: 5 }],
    });
  });

  it('reads checked validation items', () => {
    const bp = md('## Validation\n- [x] Done\n- [ ] Open\n- plain bullet\n');
    expect(bp.validation).toEqual([
      { text: 'Done', checked: true, line: 2 },
      { text: 'Open', checked: false, line: 3 },
    ]);
  });
});

describe('what people write that neither parser handled', () => {
  it('opens the frontmatter after blank lines, keeping the project key', () => {
    const bp = md('\n\n---\nproject_key: KEY\ntitle: Some Title\n---\n## Tasks\n- [ ] KEY-1 a\n');
    expect(bp.project_key).toBe('KEY');
    expect(bp.items[0]!.line).toBe(8);
    expect(brief(md('\n---\ntitle: never closed\n').diagnostics)).toEqual(['2 BP-PARSE-008']);
  });

  it('reads "KEY-1:" and "<KEY-1>:" as the ident', () => {
    const bp = md('## Tasks\n- [ ] KEY-1: First\n- [ ] <KEY-2>: Second\n- [ ] Note: not an ident {id=n-1}\n');
    expect(bp.items.map((i) => [i.id, i.title])).toEqual([
      ['KEY-1', 'First'],
      ['KEY-2', 'Second'],
      ['n-1', 'Note: not an ident'],
    ]);
  });

  it('takes a Tasks heading of another level when there is no "## Tasks"', () => {
    const bp = md('# T\n## Plan\n### Tasks\n- [ ] A-1 a\n### Later\n- [ ] B-1 not a task\n');
    expect(bp.items.map((i) => i.id)).toEqual(['A-1']);
    expect(md('# Tasks\n- [ ] A-1 a\n').items.map((i) => i.id)).toEqual(['A-1']);
    // A "## Tasks" wins over a deeper heading of that name.
    const both = md('## Plan\n### Tasks\n- [ ] A-1 a\n## Tasks\n- [ ] B-1 b\n');
    expect(both.items.map((i) => i.id)).toEqual(['B-1']);
  });

  it('reads recipes from ```yaml fences, and warns about one left outside them', () => {
    const bp = md(
      [
        '## Usage Recipes',
        'Prose first.',
        '  ```yaml',
        '  - recipe: a',
        '    steps:',
        '      - shell: ls',
        '  ```',
        '- recipe: stray',
        '~~~yml',
        '- recipe: b',
        '  steps: [oops',
        '~~~',
      ].join('\n'),
    );
    expect(bp.recipes.map((r) => [r.name, r.line, r.steps[0]?.line])).toEqual([['a', 4, 6]]);
    expect(brief(bp.diagnostics)).toEqual(['8 BP-PARSE-031', '11 BP-PARSE-029']);
  });

  it('puts the column of a Dependency Specs YAML error in the file', () => {
    const bp = md('## Tasks\n- [ ] A-1 a\n  - Dependency Specs:\n    - task_id: A-2\n     policy: x: y\n');
    expect(bp.diagnostics[0]).toMatchObject({ code: 'BP-PARSE-029', line: 5 });
    expect(bp.diagnostics[0]!.message).toMatch(/at line 5, column \d+$/);
  });
});

describe('nesting too deep for the markdown parser', () => {
  // 50,000 levels in about 100 KB: mdast overflowed the stack on the quotes and ran for minutes on the
  // lists. No time is asserted; vitest's timeout is the guard.
  it.each([
    ['list markers', '- '],
    ['block quotes', '> '],
    ['block quotes without spaces', '>'],
  ])('refuses a line of 50,000 %s with one located error', (_name, marker) => {
    const text = `## Tasks\n- [ ] A-1 kept\n${marker.repeat(50_000)}x\n- [ ] A-2 kept too\n`;
    for (const engine of ['auto', 'mdast'] as const) {
      const bp = parseMarkdownBlueprint(text, 'deep.md', { engine });
      expect(brief(bp.diagnostics)).toEqual(['3 BP-PARSE-034']);
      expect(bp.diagnostics[0]!.message).toContain('at most 100');
      expect(bp.items.map((i) => i.id)).toEqual(['A-1', 'A-2']);
    }
  });

  it('refuses a staircase of indented items past the limit, and accepts one below it', () => {
    const staircase = (depth: number) =>
      ['## Tasks', ...Array.from({ length: depth }, (_, i) => `${'  '.repeat(i)}- [ ] A-${i} t`)].join('\n');
    expect(md(staircase(100)).diagnostics).toEqual([]);
    expect(md(staircase(100)).items[99]!.parent_id).toBe('A-98');
    const deep = md(staircase(150));
    expect(brief(deep.diagnostics)).toEqual(['102 BP-PARSE-034']);
    expect(deep.diagnostics[0]!.message).toContain('49 more line(s)');
  });

  it('does not count a long thematic break as nesting', () => {
    expect(md(`## Tasks\n${'- '.repeat(300)}\n- [ ] A-1 a\n`).diagnostics).toEqual([]);
  });
});
