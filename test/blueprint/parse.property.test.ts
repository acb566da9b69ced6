// Property tests (fast-check) of parse and lint: random markdown, YAML and JSON never throw and give
// well-formed diagnostics (known code, severity, line in range), and the same random items written in
// all three formats parse to the same items.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { lintBlueprint } from '../../src/blueprint/lint.js';
import type { Diagnostic } from '../../src/blueprint/model.js';
import { parseBlueprintText } from '../../src/blueprint/parse.js';

const word = fc.oneof(
  fc.constantFrom(
    'A-1',
    'KEY-2A',
    'WEB-1.2',
    '<B-3>',
    'A-1:',
    '<B-3>:',
    'A-1:review_ready_ok',
    'A-1|artifact_ready',
    '{braces}',
    '{"a": 1}',
    'title',
    'Ünïcødé',
    '🐧',
    'x',
  ),
  fc.string({ unit: 'grapheme', maxLength: 6 }),
);
const metaValue = fc.oneof(
  fc.constantFrom(
    '1',
    'x',
    'high',
    'urgent',
    '2024-02-30',
    '2024-02-28',
    'true',
    'alpha',
    '"a,b"',
    "'q",
    'a,b',
  ),
  fc.string({ maxLength: 5 }),
);
const metaKey = fc.constantFrom(
  'id',
  'priority',
  'labels',
  'due',
  'estimate',
  'sequence',
  'parallelizable',
  'bogus',
  '',
);
const metadata = fc
  .array(fc.tuple(metaKey, metaValue), { maxLength: 4 })
  .map(
    (pairs) =>
      `{${pairs.map(([k, v]) => (k === '' ? v : `${k}=${v}`)).join(', ')}${pairs.length % 3 === 2 ? '' : '}'}`,
  );
const indent = fc.constantFrom('', '  ', '    ', '   ', '\t');

const line = fc.oneof(
  fc.constant(''),
  fc.constantFrom(
    '---',
    '## Tasks',
    '## Tasks (MVP)',
    '### Tasks',
    '# Tasks',
    '### Usage Recipes',
    '```yaml',
    '```yml',
    '> '.repeat(120) + 'x',
    '- '.repeat(120) + 'x',
    '  '.repeat(120) + '- [ ] DEEP-1 x',
    '## Usage Recipes',
    '## Validation',
    '# Title',
    '## Other',
  ),
  fc
    .tuple(
      indent,
      fc.constantFrom('- [ ] ', '- [x] ', '* [X] ', '- '),
      fc.array(word, { maxLength: 4 }),
      metadata,
    )
    .map(([i, box, words, meta]) => `${i}${box}${words.join(' ')} ${meta}`),
  fc
    .tuple(
      indent,
      fc.constantFrom('Acceptance', 'Depends', 'Dependency Specs', 'Recipe', 'Description', 'Tests', 'Weird'),
      fc.array(word, { maxLength: 3 }),
    )
    .map(([i, key, words]) => `${i}- ${key}: ${words.join(', ')}`),
  fc.constantFrom(
    '    - task_id: A-1',
    '    - task_id: <A-1>',
    '    - task_id: 7',
    '    - policy: review_ready_ok',
    '      policy: whenever',
    '      policy: review_ready_ok',
    '      policy: artifact_ready',
    '      artifact_key: k',
    '      artifact_key: null',
    '- recipe: r',
    '  steps:',
    '    - shell: ls',
    '      covers: [1, 9]',
    '    - http: GET /x',
    '  - [oops',
    '```',
    '~~~',
    '<!--',
    '-->',
    'title: x',
    'project_key: K',
    'key: [unclosed',
  ),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
);

function checkDiagnostics(diagnostics: Diagnostic[], lineCount: number): void {
  for (const d of diagnostics) {
    expect(d.code).toMatch(/^BP-(PARSE|LINT)-\d{3}$/);
    expect(['error', 'warning']).toContain(d.severity);
    expect(Number.isInteger(d.line)).toBe(true);
    expect(d.line).toBeGreaterThanOrEqual(1);
    expect(d.line).toBeLessThanOrEqual(lineCount + 1);
    expect(d.message.length).toBeGreaterThan(0);
    if (d.column !== undefined) expect(d.column).toBeGreaterThanOrEqual(1);
  }
}

describe('parse and lint never throw and always give well-formed diagnostics', () => {
  it('random markdown documents', () => {
    fc.assert(
      fc.property(fc.array(line, { maxLength: 40 }), (lines) => {
        const text = lines.join('\n');
        const bp = parseBlueprintText(text, 'random.md');
        const lint = lintBlueprint(bp);
        const lineCount = text.split(/\r\n|\r|\n/).length;
        checkDiagnostics([...bp.diagnostics, ...lint], lineCount);
        for (const item of bp.items) {
          expect(item.line).toBeGreaterThanOrEqual(1);
          expect(item.line).toBeLessThanOrEqual(lineCount);
          expect(item.id).toMatch(/^\S+$/);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('random YAML and JSON documents', () => {
    const value = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        fc.string({ maxLength: 6 }),
        fc.integer(),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie('node'), { maxLength: 3 }),
        fc.dictionary(
          fc.constantFrom(
            'id',
            'title',
            'items',
            'tasks',
            'depends_on',
            'dependencies',
            'dependency_specs',
            'task_id',
            'policy',
            'artifact_key',
            'due',
            'due_date',
            'recipes',
            'steps',
            'x',
          ),
          tie('node'),
          { maxKeys: 4 },
        ),
      ),
    })).node;
    fc.assert(
      fc.property(value, fc.string({ maxLength: 30 }), (doc, junk) => {
        for (const [text, file] of [
          [stringify(doc), 'r.yaml'],
          [JSON.stringify(doc, null, 1) ?? 'null', 'r.json'],
          [junk, 'r.yaml'],
          [junk, 'r.json'],
        ] as const) {
          const bp = parseBlueprintText(text, file);
          checkDiagnostics([...bp.diagnostics, ...lintBlueprint(bp)], text.split(/\r\n|\r|\n/).length);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('the same content in markdown, YAML and JSON gives the same items', () => {
  const id = fc.integer({ min: 1, max: 50 }).map((n) => `T-${n}`);
  const itemArb = fc.record({
    title: fc.constantFrom('Build it', 'Test it', 'Ship it'),
    priority: fc.constantFrom(null, 'low', 'high'),
    estimate: fc.option(fc.integer({ min: 0, max: 20 }), { nil: null }),
    labels: fc.array(fc.constantFrom('api', 'db', 'ui'), { maxLength: 2 }),
    acceptance_criteria: fc.array(fc.constantFrom('it works', 'it is fast'), { maxLength: 2 }),
    checked: fc.boolean(),
  });

  it('for random item lists', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(id, { minLength: 1, maxLength: 6 }),
        fc.array(itemArb, { minLength: 6, maxLength: 6 }),
        (ids, specs) => {
          const items = ids.map((itemId, index) => {
            const spec = specs[index]!;
            const depends_on = index > 0 ? [ids[index - 1]!] : [];
            return { id: itemId, ...spec, depends_on };
          });
          const markdown = ['## Tasks'];
          for (const item of items) {
            const meta = [
              item.priority ? `priority=${item.priority}` : '',
              item.estimate !== null ? `estimate=${item.estimate}` : '',
              item.labels.length ? `labels=${item.labels.join(',')}` : '',
            ].filter(Boolean);
            markdown.push(
              `- [${item.checked ? 'x' : ' '}] ${item.id} ${item.title}${meta.length ? ` {${meta.join(', ')}}` : ''}`,
            );
            for (const criterion of item.acceptance_criteria) markdown.push(`  - Acceptance: ${criterion}`);
            if (item.depends_on.length) markdown.push(`  - Depends: ${item.depends_on.join(', ')}`);
          }
          const doc = { project_key: 'P', items };
          const strip = (bp: ReturnType<typeof parseBlueprintText>) => {
            expect(bp.diagnostics).toEqual([]);
            return bp.items.map(({ line: _l, depends_lines: _d, ...rest }) => rest);
          };
          const fromMd = strip(parseBlueprintText(markdown.join('\n'), 'p.md'));
          expect(strip(parseBlueprintText(stringify(doc), 'p.yaml'))).toEqual(fromMd);
          expect(strip(parseBlueprintText(JSON.stringify(doc), 'p.json'))).toEqual(fromMd);
        },
      ),
      { numRuns: 100 },
    );
  });
});
