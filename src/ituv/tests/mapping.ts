// How a test case is tied to a task and its acceptance criteria (DESIGN §5): a case whose full name
// contains the blueprint id covers the task; an `AC<n>` marker in it covers criterion n.
import type { TestCaseResult } from '../results.js';

/** A case as a runner reports it, before it is tied to the task. */
export type RawTestCase = Omit<TestCaseResult, 'covers_task' | 'criteria'>;

/** Suite path, class name and name: everything a runner says about which test this is. */
export function fullName(
  testCase: Pick<TestCaseResult, 'name' | 'classname'> & { suite?: string | null },
): string {
  return [testCase.suite, testCase.classname, testCase.name].filter((part) => part).join(' ');
}

/**
 * Case-insensitive, any run of non-alphanumerics matches any other, and camelCase and letter-digit
 * boundaries count as separators, so Python's `test_book_1_ac2`, pytest's `TestBook1` and go's
 * `TestX/BOOK-1_AC2` cover BOOK-1 like "BOOK-1 AC2" does; the id must stand as whole words
 * (BOOK-1 does not cover BOOK-10).
 */
export function coversTask(name: string, blueprintId: string): boolean {
  const id = words(blueprintId);
  return id.trim().length > 0 && words(name).includes(id);
}

/**
 * `AC<n>` markers not glued to a preceding letter or digit ("BOOK-1 AC2", "test_ac2", "AC3:"), or
 * an upper-case `AC<n>` starting a camelCase word ("TestBook1AC2"); "MAC2" and "tac1" are not markers.
 */
export function criteriaOf(name: string): number[] {
  const found = new Set<number>();
  const markers = [
    ...name.matchAll(/(?<![A-Za-z0-9])AC(\d+)(?!\d)/gi),
    ...name.matchAll(/(?<=[a-z0-9])AC(\d+)(?!\d)/g),
  ];
  for (const match of markers) {
    const n = Number(match[1]);
    if (n > 0) found.add(n);
  }
  return [...found].sort((a, b) => a - b);
}

export function annotate(testCase: RawTestCase, blueprintId: string): TestCaseResult {
  const name = fullName(testCase);
  return { ...testCase, covers_task: coversTask(name, blueprintId), criteria: criteriaOf(name) };
}

function words(value: string): string {
  const split = value
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/([A-Za-z])(\d)/g, '$1 $2')
    .replace(/(\d)([A-Za-z])/g, '$1 $2');
  return ` ${split
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()} `;
}
