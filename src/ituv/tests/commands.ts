// The command line each supported runner gets, and the report it leaves behind.
import { dirname } from 'node:path';
import type { RunnerKind } from './detect.js';
import type { TestSelection } from './select.js';
import { shellQuote, shellQuoteAll } from './shell-quote.js';

/** What the runner leaves to be parsed: JUnit XML, jest's JSON report, or go's test2json on stdout. */
export type ReportFormat = 'junit' | 'jest-json' | 'go-json';

export interface RunnerCommand {
  command: string;
  format: ReportFormat;
  /** Absolute path of the report file; null for go, which reports on stdout. */
  reportPath: string | null;
}

export interface CommandPaths {
  /** Where JUnit XML goes (outputDir/junit.xml). */
  junit: string;
  /** Where jest's JSON report goes (outputDir/jest.json). */
  jestJson: string;
}

export function runnerCommand(
  kind: RunnerKind,
  selection: TestSelection,
  paths: CommandPaths,
): RunnerCommand {
  const files = selection.files;
  const filter = selection.filter;
  switch (kind) {
    case 'vitest':
      // --no-install: a runner the project does not have must fail, not be downloaded.
      return junit(
        [
          'npx --no-install vitest run --reporter=default --reporter=junit',
          `--outputFile.junit=${shellQuote(paths.junit)}`,
          filter === null ? '' : `-t ${shellQuote(filter)}`,
          shellQuoteAll(files),
        ],
        paths.junit,
      );
    case 'jest':
      return {
        command: join([
          'npx --no-install jest --ci --json',
          `--outputFile=${shellQuote(paths.jestJson)}`,
          filter === null ? '' : `-t ${shellQuote(filter)}`,
          files.length > 0 ? `--runTestsByPath ${shellQuoteAll(files)}` : '',
        ]),
        format: 'jest-json',
        reportPath: paths.jestJson,
      };
    case 'node:test':
      // Two reporters: spec for the human reading stdout.log, junit for Penguin.
      return junit(
        [
          'node --test --test-reporter=spec --test-reporter-destination=stdout',
          `--test-reporter=junit --test-reporter-destination=${shellQuote(paths.junit)}`,
          filter === null ? '' : `--test-name-pattern=${shellQuote(filter)}`,
          shellQuoteAll(files),
        ],
        paths.junit,
      );
    case 'pytest':
      return junit(
        [
          `python3 -m pytest --junitxml=${shellQuote(paths.junit)}`,
          selection.names.length === 0 ? '' : `-k ${shellQuote(pytestKeyword(selection.names))}`,
          shellQuoteAll(files),
        ],
        paths.junit,
      );
    case 'go':
      return {
        command: join([
          'go test -json',
          selection.names.length === 0 ? '' : `-run ${shellQuote(goRunPattern(selection.names))}`,
          files.length > 0 ? shellQuoteAll(goPackages(files)) : './...',
        ]),
        format: 'go-json',
        reportPath: null,
      };
  }
}

/**
 * pytest -k takes an expression of words, matched case-insensitively as substrings of test, class
 * and module names; Python names cannot hold `-` or spaces, so BOOK-1 becomes `BOOK_1` (for
 * test_book_1_x) or `BOOK1` (for TestBook1).
 */
export function pytestKeyword(names: readonly string[]): string {
  const words = names.flatMap((name) => {
    const parts = name.split(/[^A-Za-z0-9]+/).filter((part) => part.length > 0);
    return parts.length === 0 ? [] : [parts.join('_'), parts.join('')];
  });
  return [...new Set(words)].join(' or ');
}

/**
 * go -run matches top-level test names (TestBook1...), which cannot hold `-`: match the id's words
 * case-insensitively with anything non-alphanumeric, or nothing, between them.
 */
export function goRunPattern(names: readonly string[]): string {
  const alternatives = names.map((name) =>
    name
      .split(/[^A-Za-z0-9]+/)
      .filter((word) => word.length > 0)
      .join('[^a-z0-9]*'),
  );
  return `(?i)(${alternatives.join('|')})`;
}

/** go tests run by package: the directories of the selected files. */
function goPackages(files: readonly string[]): string[] {
  return [...new Set(files.map((file) => (dirname(file) === '.' ? '.' : `./${dirname(file)}`)))].sort();
}

function junit(parts: string[], path: string): RunnerCommand {
  return { command: join(parts), format: 'junit', reportPath: path };
}

function join(parts: string[]): string {
  return parts.filter((part) => part.length > 0).join(' ');
}

/**
 * A configured `test_runner.command` with its placeholders filled: `{files}` the selected files,
 * `{filter}` the name filter (empty when none), `{junit}` the JUnit path, each shell-quoted.
 */
export function fillTemplate(template: string, selection: TestSelection, junitPath: string): string {
  return template
    .replaceAll('{files}', shellQuoteAll(selection.files))
    .replaceAll('{filter}', selection.filter === null ? "''" : shellQuote(selection.filter))
    .replaceAll('{junit}', shellQuote(junitPath));
}
