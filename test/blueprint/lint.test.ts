// lintBlueprint on small inline documents: no tasks (worded per format), missing criteria and
// estimates, missing dependencies, one diagnostic per cycle in dependency order, redundant specs,
// recipes (unknown, duplicate, covers past the criteria), and a 10,000-item chain without a cycle.
import { describe, expect, it } from 'vitest';
import { lintBlueprint } from '../../src/blueprint/lint.js';
import { parseBlueprintText } from '../../src/blueprint/parse.js';
import { brief } from './helpers.js';

const lint = (text: string) => lintBlueprint(parseBlueprintText(text, 'spec.md'));

describe('lintBlueprint', () => {
  it('reports a blueprint without tasks, naming what a task looks like in its format', () => {
    expect(brief(lint('# Nothing\n'))).toEqual(['1 BP-LINT-004']);
    expect(lint('# Nothing\n')[0]!.message).toContain('"## Tasks"');
    const yaml = lintBlueprint(parseBlueprintText('title: Empty\n', 'spec.yaml'));
    expect(brief(yaml)).toEqual(['1 BP-LINT-004']);
    expect(yaml[0]!.message).toContain('"items:" or "tasks:"');
    expect(yaml[0]!.message).not.toContain('##');
  });

  it('says nothing about missing tasks when the file did not parse, or its tasks were refused', () => {
    expect(lintBlueprint(parseBlueprintText('{"title": "x",}', 'spec.json'))).toEqual([]);
    expect(lintBlueprint(parseBlueprintText('items: [\n', 'spec.yaml'))).toEqual([]);
    expect(lint('## Tasks\n- [ ] Write the docs\n')).toEqual([]);
  });

  it('warns about missing acceptance criteria and estimates, per item', () => {
    const out = lint('## Tasks\n- [ ] A-1 a {estimate=1}\n  - Acceptance: ok\n- [ ] A-2 b\n');
    expect(brief(out)).toEqual(['4 BP-LINT-101', '4 BP-LINT-103']);
    expect(out.every((d) => d.severity === 'warning')).toBe(true);
  });

  it('reports a missing dependency at the line of its reference', () => {
    const out = lint('## Tasks\n- [ ] A-1 a {estimate=1}\n  - Acceptance: ok\n  - Depends:\n    - A-9\n');
    expect(brief(out)).toEqual(['5 BP-LINT-002']);
    expect(out[0]!.message).toContain('A-9');
  });

  it('reports a self-dependency as a cycle', () => {
    const out = lint('## Tasks\n- [ ] A-1 a {estimate=1}\n  - Acceptance: ok\n  - Depends: A-1\n');
    expect(out.map((d) => [d.line, d.code, d.message])).toEqual([
      [2, 'BP-LINT-003', 'dependency cycle: A-1 -> A-1'],
    ]);
  });

  it('reports one diagnostic per cycle, each in dependency order, and ignores tasks hanging off a cycle', () => {
    const out = lint(
      [
        '## Tasks',
        '- [ ] A-1 a {estimate=1}',
        '  - Acceptance: ok',
        '  - Depends: A-2',
        '- [ ] A-2 b {estimate=1}',
        '  - Acceptance: ok',
        '  - Depends: A-1',
        '- [ ] B-1 c {estimate=1}',
        '  - Acceptance: ok',
        '  - Depends: A-1, B-3',
        '- [ ] B-2 d {estimate=1}',
        '  - Acceptance: ok',
        '  - Depends: B-1',
        '- [ ] B-3 e {estimate=1}',
        '  - Acceptance: ok',
        '  - Depends: B-2',
      ].join('\n'),
    );
    expect(out.map((d) => [d.line, d.message])).toEqual([
      [2, 'dependency cycle: A-1 -> A-2 -> A-1'],
      [8, 'dependency cycle: B-1 -> B-3 -> B-2 -> B-1'],
    ]);
  });

  it('warns about a spec that only repeats the default policy', () => {
    const out = lint(
      '## Tasks\n- [ ] A-1 a {estimate=1}\n  - Acceptance: ok\n- [ ] A-2 b {estimate=1}\n  - Acceptance: ok\n  - Depends: A-1\n  - Dependency Specs:\n    - task_id: A-1\n      policy: completion_required\n',
    );
    expect(brief(out)).toEqual(['4 BP-LINT-102']);
  });

  it('checks recipes: unknown, duplicate, and covers beyond the criteria', () => {
    const out = lint(
      [
        '## Tasks',
        '- [ ] A-1 a {estimate=1}',
        '  - Acceptance: one',
        '  - Recipe: smoke',
        '- [ ] A-2 b {estimate=1}',
        '  - Acceptance: one',
        '  - Recipe: nope',
        '## Usage Recipes',
        '- recipe: smoke',
        '  steps:',
        '    - shell: "true"',
        '      covers: [1, 2]',
        '- recipe: smoke',
        '  steps: []',
      ].join('\n'),
    );
    expect(brief(out)).toEqual(['5 BP-LINT-120', '11 BP-LINT-121', '13 BP-LINT-122']);
    expect(out.find((d) => d.code === 'BP-LINT-121')!.severity).toBe('warning');
  });

  it('lints a 10,000-item chain without finding a cycle', () => {
    const lines = ['## Tasks'];
    for (let i = 1; i <= 10_000; i++) {
      lines.push(`- [ ] G-${i} item {estimate=1}`, `  - Acceptance: ok`);
      if (i > 1) lines.push(`  - Depends: G-${i - 1}`);
    }
    expect(lint(lines.join('\n'))).toEqual([]);
  });
});
