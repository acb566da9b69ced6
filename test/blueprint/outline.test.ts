// The markdown outline: the fast line scanner must agree with mdast on every document it accepts
// (hand-written and fast-check), chunked mdast must equal one piece, and nestingDepth finds the lines
// too deep to parse.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mdastOutline, nestingDepth, scanPlainOutline, tooDeepLines } from '../../src/blueprint/outline.js';
import { FIXTURES } from './helpers.js';

const lines = (text: string) => text.split('\n');

describe('scanPlainOutline', () => {
  it('agrees with mdast on a plain document with nesting, wrapped text and lazy lines', () => {
    const doc = lines(
      [
        '# Title',
        'Intro text',
        '## Tasks',
        '- [ ] A-1 first',
        '  wrapped title',
        'lazy line',
        '  - Acceptance: ok',
        '    - nested',
        '',
        '  - [x] A-2 child',
        '',
        '   - three-space sibling',
        '* [ ] A-3 other bullet char',
        '## Next',
        'para',
        '- x',
      ].join('\n'),
    );
    const fast = scanPlainOutline(doc);
    expect(fast).not.toBeNull();
    expect(fast).toEqual(mdastOutline(doc));
  });

  it.each([
    ['a fence', '```\n- [ ] A-1 x\n```'],
    ['an HTML comment', '<!--\n- [ ] A-1 x\n-->'],
    ['a block quote', '> - [ ] A-1 x'],
    ['a setext heading', 'Tasks\n---'],
    ['an ordered list', '1. x'],
    ['indented code after a blank line', 'para\n\n    code'],
    ['a tab in the indentation', '- a\n\t- b'],
    ['a bullet starting a nested list', '- - x'],
    ['an empty checkbox item', '- [ ]'],
  ])('leaves %s to mdast', (_name, text) => {
    expect(scanPlainOutline(lines(text))).toBeNull();
  });

  it('accepts the generated benchmark shape', () => {
    const doc = ['## Tasks'];
    for (let i = 1; i <= 50; i++)
      doc.push(`- [ ] G-${i} item {estimate=1}`, '  - Acceptance: ok', `  - Depends: G-${i + 1}`);
    expect(scanPlainOutline(doc)).toEqual(mdastOutline(doc));
  });

  it('is not used for the bookmarks fixture (it has a comment and a fence) and mdast finds its ignored blocks', () => {
    const doc = lines(readFileSync(join(FIXTURES, 'bookmarks.md'), 'utf8'));
    expect(scanPlainOutline(doc)).toBeNull();
    expect(mdastOutline(doc).ignored).toEqual([
      [25, 28],
      [82, 84],
    ]);
  });

  // Lines built only from the pieces the scanner might accept, plus a few it must refuse.
  const piece = fc.oneof(
    fc.constant(''),
    fc.constantFrom('# H', '## Tasks', '### Sub', '#', '## Tasks ##', '##'),
    fc
      .tuple(
        fc.constantFrom('', ' ', '  ', '   ', '    ', '      ', '        '),
        fc.constantFrom('- ', '* ', '+ '),
        fc.constantFrom('', '[ ] ', '[x] ', '[X] '),
        fc.constantFrom('A-1 task', 'Acceptance: ok', 'Depends: A-2', 'text {estimate=1}'),
      )
      .map((parts) => parts.join('')),
    fc
      .tuple(
        fc.constantFrom('', ' ', '  ', '   ', '    ', '     ', '        '),
        fc.constantFrom('text', 'more words', '[link]', 'x: y', 'A-1 {a="b"}'),
      )
      .map((parts) => parts.join('')),
    fc.constantFrom('---', '- [ ]', '1. one', '> quote', '    ```', '<div>', '\tx', '- - x', '-', '***'),
  );

  it('agrees with mdast on every random document it accepts', () => {
    let accepted = 0;
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 25 }), (doc) => {
        const fast = scanPlainOutline(doc);
        if (fast === null) return;
        accepted++;
        expect(fast).toEqual(mdastOutline(doc));
      }),
      { numRuns: 600 },
    );
    // The comparison must not be vacuous.
    expect(accepted).toBeGreaterThan(50);
  });

  it('parses in chunks exactly as in one piece, also across fences, comments and quotes', () => {
    const anyLine = fc.oneof(
      piece,
      fc.constantFrom(
        '```',
        '~~~',
        '<!--',
        '-->',
        '<div>',
        '</div>',
        '> - [ ] Q-1 quoted',
        '    indented',
        '- ```',
      ),
    );
    fc.assert(
      fc.property(fc.array(anyLine, { maxLength: 30 }), fc.integer({ min: 1, max: 6 }), (doc, chunk) => {
        expect(mdastOutline(doc, chunk)).toEqual(mdastOutline(doc, Number.POSITIVE_INFINITY));
      }),
      { numRuns: 400 },
    );
  });

  it('finds every item of a long list with a fence (chunked mdast path)', () => {
    const doc = ['## Tasks', '```', '- [ ] F-0 fenced', '```'];
    for (let i = 1; i <= 3000; i++) doc.push(`- [ ] G-${i} item`, '  - Acceptance: ok');
    const outline = mdastOutline(doc);
    expect(outline.items).toHaveLength(3000);
    expect(outline.ignored).toEqual([[2, 4]]);
  });
});

describe('nestingDepth', () => {
  it('counts quote and list markers and half the indentation', () => {
    expect(nestingDepth('plain text')).toBe(0);
    expect(nestingDepth('- [ ] A-1 x')).toBe(1);
    expect(nestingDepth('> > - x')).toBe(3);
    expect(nestingDepth('>>>x')).toBe(3);
    expect(nestingDepth('1. 2) - x')).toBe(3);
    expect(nestingDepth('      - x')).toBe(4);
    expect(nestingDepth('\t- x')).toBe(3);
    expect(nestingDepth('-x')).toBe(0);
  });

  it('finds only the lines past the limit', () => {
    expect(
      tooDeepLines(['- a', `${'> '.repeat(101)}x`, `${'> '.repeat(100)}x`, '- '.repeat(400)], 100),
    ).toEqual([2]);
  });
});
