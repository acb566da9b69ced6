// parseRecipesYaml, the `## Usage Recipes` block: accepted spellings and defaults, schema problems
// naming the recipe and field at absolute file lines, and valid recipes kept beside bad ones.
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../src/blueprint/model.js';
import { parseRecipesYaml } from '../../src/blueprint/recipes.js';
import { brief } from './helpers.js';

function recipes(text: string, firstLine = 10) {
  const diagnostics: Diagnostic[] = [];
  return { recipes: parseRecipesYaml(text, firstLine, 'r.md', diagnostics), diagnostics };
}

describe('parseRecipesYaml', () => {
  it('accepts name as well as recipe, coerces env values to strings and defaults shell expect_exit', () => {
    const { recipes: out, diagnostics } = recipes(
      [
        '- name: smoke',
        '  env: { PORT: 8080, DEBUG: true }',
        '  timeout_sec: 30',
        '  artifacts: [out/report.json]',
        '  service: { command: "node s.js", ready: "curl -f localhost", ready_timeout_sec: 5 }',
        '  steps:',
        '    - python: "assert vars"',
        '      name: py',
        '      timeout_sec: 3',
        '    - shell: "echo hi"',
        '      expect_stderr: ""',
        '      env: { A: 1 }',
        '    - http: "DELETE /x/1"',
        '      headers: { Authorization: "Bearer t" }',
      ].join('\n'),
    );
    expect(diagnostics).toEqual([]);
    expect(out).toEqual([
      {
        name: 'smoke',
        description: null,
        service: { command: 'node s.js', ready: 'curl -f localhost', ready_timeout_sec: 5 },
        env: { PORT: '8080', DEBUG: 'true' },
        timeout_sec: 30,
        steps: [
          { kind: 'python', run: 'assert vars', name: 'py', timeout_sec: 3, line: 16 },
          { kind: 'shell', run: 'echo hi', expect_stderr: '', env: { A: '1' }, expect_exit: 0, line: 19 },
          { kind: 'http', run: 'DELETE /x/1', headers: { Authorization: 'Bearer t' }, line: 22 },
        ],
        artifacts: ['out/report.json'],
        line: 10,
      },
    ]);
  });

  it('reports schema problems naming the recipe and field at their lines, and keeps valid recipes', () => {
    const { recipes: out, diagnostics } = recipes(
      [
        '- recipe: ok',
        '  steps: []',
        '- description: no name',
        '- recipe: bad',
        '  steps:',
        '    - http: "fetch it"',
        '    - shell: ls',
        '      expect_exitt: 0',
        '    - {}',
      ].join('\n'),
    );
    expect(out.map((r) => r.name)).toEqual(['ok']);
    expect(brief(diagnostics)).toEqual([
      '12 BP-PARSE-030',
      '15 BP-PARSE-030',
      '17 BP-PARSE-030',
      '18 BP-PARSE-030',
    ]);
    expect(diagnostics[0]!.message).toContain('recipe #2');
    expect(diagnostics[1]!.message).toContain('recipe "bad": steps[0].http');
    expect(diagnostics[2]!.message).toContain('expect_exitt');
    expect(diagnostics[3]!.message).toContain('exactly one of shell, http, python, node');
  });

  it('requires a list', () => {
    expect(brief(recipes('recipe: x').diagnostics)).toEqual(['10 BP-PARSE-030']);
  });

  it('reports invalid YAML with BP-PARSE-029 at the absolute line', () => {
    const { diagnostics } = recipes('- recipe: a\n  steps:\n    - shell: x\n   bad: : :\n', 20);
    // The block's line 4 is the file's line 23, and the message says so too.
    expect(brief(diagnostics)).toEqual(['23 BP-PARSE-029']);
    expect(diagnostics[0]).toMatchObject({
      column: 1,
      message: expect.stringMatching(/at line 23, column 1$/),
    });
  });
});
