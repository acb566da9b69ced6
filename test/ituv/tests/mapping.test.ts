// How a test case name ties to a task and its criteria: the blueprint id as whole words across naming
// styles (BOOK-10 is not BOOK-1), and `AC<n>` markers only where they stand on their own.
import { describe, expect, it } from 'vitest';
import { coversTask, criteriaOf } from '../../../src/ituv/tests/mapping.js';

describe('test-to-task mapping', () => {
  it('covers a task when the id appears as whole words, across naming styles', () => {
    expect(coversTask('BOOK-1 AC2 reads PORT', 'BOOK-1')).toBe(true);
    expect(coversTask('tests.test_books test_book_1_ac2', 'BOOK-1')).toBe(true);
    expect(coversTask('TestBook1/BOOK-1_AC1_reads_PORT', 'BOOK-1')).toBe(true);
    expect(coversTask('tests.test_books.TestBook1 test_ac3', 'BOOK-1')).toBe(true);
    expect(coversTask('TestBook10', 'BOOK-1')).toBe(false);
    expect(coversTask('BOOK-10 reads PORT', 'BOOK-1')).toBe(false);
    expect(coversTask('NOTEBOOK-1 x', 'BOOK-1')).toBe(false);
    expect(coversTask('anything', '')).toBe(false);
  });

  it('reads AC<n> markers that stand on their own', () => {
    expect(criteriaOf('BOOK-1 AC2 reads PORT')).toEqual([2]);
    expect(criteriaOf('AC1 and AC12, AC1 again')).toEqual([1, 12]);
    expect(criteriaOf('test_book_1_ac3_logs')).toEqual([3]);
    expect(criteriaOf('BOOK-1 > AC4: health')).toEqual([4]);
    expect(criteriaOf('TestBook1AC2')).toEqual([2]);
    expect(criteriaOf('TAC1 MAC2 AC0 ACx tac3')).toEqual([]);
  });
});
