// parseLineMetadata, the `{k=v}` block at the end of a task line: comma splitting outside quotes, list
// continuation, typed keys, problems at the column of their key, and brace groups that stay title text.
import { describe, expect, it } from 'vitest';
import { parseLineMetadata } from '../../src/blueprint/metadata.js';

describe('parseLineMetadata', () => {
  it('splits on commas outside quotes and continues list keys', () => {
    const meta = parseLineMetadata(
      `- [ ] A-1 T {labels=api,security, skills='a,b', assignees="x", estimate=3}`,
    );
    expect(meta.issues).toEqual([]);
    expect(meta.text).toBe('- [ ] A-1 T');
    expect(meta.column).toBe(13);
    expect(meta.fields).toEqual({
      labels: ['api', 'security'],
      skills: ['a,b'],
      assignees: ['x'],
      estimate: 3,
    });
  });

  it('parses every typed key', () => {
    const meta = parseLineMetadata(
      'x {id=a.b, description="d, e", priority=Critical, due=2024-02-29, effort=1, value=2, risk=0, sequence=rc, agent_role=qa, parallelizable=FALSE, batch=b1, required_tools=git}',
    );
    expect(meta.issues).toEqual([]);
    expect(meta.fields).toEqual({
      id: 'a.b',
      description: 'd, e',
      priority: 'critical',
      due: '2024-02-29',
      effort: 1,
      value: 2,
      risk: 0,
      sequence: 'rc',
      agent_role: 'qa',
      parallelizable: false,
      batch: 'b1',
      required_tools: ['git'],
    });
  });

  it('reports bad values with the column of the key', () => {
    const line = 'x {due=2023-02-29, estimate=1.5, sequence=zeta, parallelizable=maybe}';
    const meta = parseLineMetadata(line);
    expect(meta.issues.map((i) => [i.code, i.column, line.slice(i.column - 1).split('=')[0]])).toEqual([
      ['BP-PARSE-027', 4, 'due'],
      ['BP-PARSE-027', 20, 'estimate'],
      ['BP-PARSE-027', 34, 'sequence'],
      ['BP-PARSE-027', 49, 'parallelizable'],
    ]);
    expect(meta.issues[0]!.message).toContain('2023-02-29');
  });

  it('warns about unknown keys and errors on keyless segments', () => {
    const meta = parseLineMetadata('x {colour=red, estimate=1, 2}');
    expect(meta.issues.map((i) => [i.code, i.severity])).toEqual([
      ['BP-PARSE-031', 'warning'],
      ['BP-PARSE-032', 'error'],
    ]);
    expect(meta.issues[0]!.message).toContain('colour');
  });

  it('reports an unterminated block or quote', () => {
    expect(parseLineMetadata('x {estimate=1').issues[0]!.code).toBe('BP-PARSE-032');
    expect(parseLineMetadata('x {labels="a, b}').issues[0]!.code).toBe('BP-PARSE-032');
  });

  it('leaves braces in a title alone', () => {
    expect(parseLineMetadata('Return {ok} to callers').column).toBeNull();
    expect(parseLineMetadata('Return {ok} to callers {estimate=2}').fields).toEqual({ estimate: 2 });
    expect(parseLineMetadata("x {description=don't panic}").fields).toEqual({ description: "don't panic" });
  });

  it('keeps a trailing brace group without "=" as title text', () => {
    for (const line of ['Support {braces}', 'Parse JSON like {"a": 1}', 'Empty {}']) {
      expect(parseLineMetadata(line)).toEqual({ text: line, column: null, fields: {}, issues: [] });
    }
    expect(parseLineMetadata('Keep {braces} {estimate=2}')).toMatchObject({
      text: 'Keep {braces}',
      column: 15,
      fields: { estimate: 2 },
    });
  });

  it('refuses an id with ":" or "|" in it', () => {
    expect(parseLineMetadata('x {id=a:b}').issues[0]!.code).toBe('BP-PARSE-027');
    expect(parseLineMetadata('x {id=a|b}').issues[0]!.code).toBe('BP-PARSE-027');
  });
});
