// The small shell helpers: quoting that round-trips through a real `sh`, and the lines failure
// messages quote.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { lastLine, shellJoin, shellQuote, shortText } from '../../../src/ituv/recipe/shell.js';

describe('shellQuote', () => {
  it('round-trips awkward arguments through sh', () => {
    const args = ["it's", 'a b', '$HOME', '"q"', ''];
    const out = execFileSync('sh', ['-c', `printf '%s|' ${shellJoin(args)}`], { encoding: 'utf8' });
    expect(out).toBe(`${args.join('|')}|`);
    expect(shellQuote('plain/path.txt')).toBe('plain/path.txt');
  });
});

describe('text helpers', () => {
  it('takes the last non-empty line and a short first line', () => {
    expect(lastLine('Traceback\n  x\nValueError: bad\n\n')).toBe('ValueError: bad');
    expect(shortText('line one\nline two')).toBe('line one…');
    expect(shortText('x'.repeat(70), 10)).toBe(`${'x'.repeat(10)}…`);
  });
});
