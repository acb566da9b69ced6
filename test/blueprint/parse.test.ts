// The parser's entry points: format detection, the file checks (size, binary, UTF-8, BOM, missing or
// unreadable, directories), dispatch by format, the same items from markdown, YAML and JSON, and a
// 200 KB file nested 50,000 deep (the issue-9 probe) that gets one located diagnostic.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { detectFormat, parseBlueprintFile, parseBlueprintText } from '../../src/blueprint/parse.js';
import { brief } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'penguin-bp-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('detectFormat', () => {
  it('maps extensions case-insensitively', () => {
    expect(['a.md', 'a.MARKDOWN', 'a.yaml', 'a.yml', 'a.JSON', 'a.txt', 'a'].map(detectFormat)).toEqual([
      'markdown',
      'markdown',
      'yaml',
      'yaml',
      'json',
      null,
      null,
    ]);
  });
});

describe('parseBlueprintFile', () => {
  it('refuses a 10 MiB file with a clear diagnostic', () => {
    const file = join(dir, 'huge.md');
    writeFileSync(file, Buffer.alloc(10 * 1024 * 1024, 'a'));
    const bp = parseBlueprintFile(file);
    expect(brief(bp.diagnostics)).toEqual(['1 BP-PARSE-020']);
    expect(bp.diagnostics[0]!.message).toBe(`${file} is 10.0 MiB; blueprints are limited to 5 MiB`);
    expect(bp.items).toEqual([]);
  });

  it('refuses binary files and invalid UTF-8', () => {
    const binary = join(dir, 'binary.md');
    writeFileSync(binary, Buffer.from([0x23, 0x20, 0x00, 0x01, 0x02]));
    expect(parseBlueprintFile(binary).diagnostics[0]).toMatchObject({ code: 'BP-PARSE-021', file: binary });
    const latin1 = join(dir, 'latin1.yaml');
    writeFileSync(latin1, Buffer.from([0x74, 0x69, 0x74, 0x6c, 0x65, 0x3a, 0x20, 0xe9]));
    expect(parseBlueprintFile(latin1).diagnostics[0]!.message).toContain('not valid UTF-8');
  });

  it('reports a missing or unreadable file', () => {
    const missing = join(dir, 'missing.md');
    expect(parseBlueprintFile(missing).diagnostics[0]).toMatchObject({ code: 'BP-PARSE-024', line: 1 });
    expect(parseBlueprintFile(missing).diagnostics[0]!.message).toContain('ENOENT');
  });

  it('reports an unsupported extension', () => {
    const file = join(dir, 'notes.txt');
    writeFileSync(file, 'hi');
    expect(parseBlueprintFile(file).diagnostics[0]!.code).toBe('BP-PARSE-025');
  });

  it('keeps the path as given and strips a BOM', () => {
    const file = join(dir, 'bom.md');
    writeFileSync(file, '\uFEFF---\nproject_key: B\n---\n## Tasks\n- [ ] B-1 x\n');
    const bp = parseBlueprintFile(file);
    expect(bp.file).toBe(file);
    expect(bp.project_key).toBe('B');
    expect(bp.items[0]).toMatchObject({ id: 'B-1', line: 5 });
  });

  it('reports a directory named like a blueprint as unreadable', () => {
    const folder = join(dir, 'folder.md');
    mkdirSync(folder);
    expect(parseBlueprintFile(folder).diagnostics[0]!.code).toBe('BP-PARSE-024');
  });
});

describe('parseBlueprintText', () => {
  it('dispatches on the explicit format, else on the file extension', () => {
    const yaml = 'project_key: Y\nitems:\n  - id: Y-1\n    title: y\n';
    expect(parseBlueprintText(yaml, 'spec.yml').items.map((i) => i.id)).toEqual(['Y-1']);
    expect(parseBlueprintText(yaml, 'spec.txt', 'yaml').format).toBe('yaml');
    expect(parseBlueprintText('## Tasks\n- [ ] M-1 m\n', 'no-extension').format).toBe('markdown');
  });

  it('gives the same items for markdown, YAML and JSON of the same content', () => {
    const markdown = [
      '---',
      'project_key: S',
      '---',
      '## Tasks',
      '- [x] S-1 First {priority=high, labels=a,b, estimate=2, due=2025-01-31}',
      '  - Acceptance: works',
      '  - Recipe: r',
      '  - [ ] S-2 Child {sequence=beta, parallelizable=true}',
      '- [ ] S-3 Third',
      '  - Depends: S-1, S-2',
      '  - Dependency Specs:',
      '    - task_id: S-2',
      '      policy: review_ready_ok',
      '  - Tests: t1, t2',
      '  - Description: one',
      '    two',
    ].join('\n');
    const model = {
      project_key: 'S',
      items: [
        {
          id: 'S-1',
          title: 'First',
          priority: 'high',
          labels: ['a', 'b'],
          estimate: 2,
          due: '2025-01-31',
          acceptance_criteria: ['works'],
          recipe: 'r',
          checked: true,
        },
        { id: 'S-2', title: 'Child', parent_id: 'S-1', sequence: 'beta', parallelizable: true },
        {
          id: 'S-3',
          title: 'Third',
          depends_on: ['S-1', 'S-2'],
          dependency_specs: [{ task_id: 'S-2', policy: 'review_ready_ok' }],
          tests: ['t1', 't2'],
          description: 'one\ntwo',
        },
      ],
    };
    const strip = (items: ReturnType<typeof parseBlueprintText>['items']) =>
      items.map(({ line: _line, depends_lines: _lines, ...rest }) => rest);
    const fromMd = parseBlueprintText(markdown, 's.md');
    const fromJson = parseBlueprintText(JSON.stringify(model), 's.json');
    const fromYaml = parseBlueprintText(stringify(model), 's.yaml');
    expect(fromMd.diagnostics).toEqual([]);
    expect(fromJson.diagnostics).toEqual([]);
    expect(strip(fromJson.items)).toEqual(strip(fromMd.items));
    expect(strip(fromYaml.items)).toEqual(strip(fromMd.items));
  });
});

describe('a generated 200 KB file nested 50,000 levels deep', () => {
  it('gets one located BP-PARSE-034 and keeps the tasks around it', () => {
    // The issue-9 probe: lint hung past 120 s on the list line and overflowed the stack on the quote
    // line. No time is asserted; vitest's timeout is the guard.
    const file = join(dir, 'deep.md');
    const body = [
      '## Tasks',
      '- [ ] A-1 before',
      `${'- '.repeat(50_000)}x`,
      `${'> '.repeat(50_000)}x`,
      '- [ ] A-2 after',
    ];
    writeFileSync(file, `${body.join('\n')}\n`);
    const bp = parseBlueprintFile(file);
    expect(brief(bp.diagnostics)).toEqual(['3 BP-PARSE-034']);
    expect(bp.diagnostics[0]!.message).toContain('1 more line(s) like it');
    expect(bp.items.map((i) => i.id)).toEqual(['A-1', 'A-2']);
  });
});
