// The command line each test runner gets: quoting of files and filters, report paths, pytest keywords
// and go -run patterns, and a configured command template filled in.
import { describe, expect, it } from 'vitest';
import {
  fillTemplate,
  goRunPattern,
  pytestKeyword,
  runnerCommand,
} from '../../../src/ituv/tests/commands.js';
import type { TestSelection } from '../../../src/ituv/tests/select.js';
import { shellQuote } from '../../../src/ituv/tests/shell-quote.js';

const paths = { junit: '/out dir/junit.xml', jestJson: '/out dir/jest.json' };
const byFiles: TestSelection = {
  strategy: 'tests',
  files: ['test/a.test.js', "test/it's.test.js"],
  filter: null,
  names: [],
};
const byName: TestSelection = { strategy: 'filter', files: [], filter: 'BOOK-1', names: ['BOOK-1'] };

describe('runner commands', () => {
  it('quotes shell words only when needed, and safely', () => {
    expect(shellQuote('test/a.test.js')).toBe('test/a.test.js');
    expect(shellQuote("it's here")).toBe(`'it'\\''s here'`);
    expect(shellQuote('$(rm -rf /)')).toBe(`'$(rm -rf /)'`);
  });

  it('builds each runner command with its report path, files and filter', () => {
    expect(runnerCommand('vitest', byName, paths)).toEqual({
      command:
        "npx --no-install vitest run --reporter=default --reporter=junit --outputFile.junit='/out dir/junit.xml' -t BOOK-1",
      format: 'junit',
      reportPath: '/out dir/junit.xml',
    });
    expect(runnerCommand('jest', byFiles, paths).command).toBe(
      "npx --no-install jest --ci --json --outputFile='/out dir/jest.json' --runTestsByPath test/a.test.js 'test/it'\\''s.test.js'",
    );
    expect(runnerCommand('jest', byFiles, paths).format).toBe('jest-json');
    expect(runnerCommand('node:test', byName, paths).command).toBe(
      'node --test --test-reporter=spec --test-reporter-destination=stdout ' +
        "--test-reporter=junit --test-reporter-destination='/out dir/junit.xml' --test-name-pattern=BOOK-1",
    );
    expect(runnerCommand('pytest', byName, paths).command).toBe(
      "python3 -m pytest --junitxml='/out dir/junit.xml' -k 'BOOK_1 or BOOK1'",
    );
    expect(runnerCommand('go', byName, paths)).toEqual({
      command: "go test -json -run '(?i)(BOOK[^a-z0-9]*1)' ./...",
      format: 'go-json',
      reportPath: null,
    });
    expect(
      runnerCommand(
        'go',
        {
          strategy: 'patterns',
          files: ['x_test.go', 'pkg/a/a_test.go', 'pkg/a/b_test.go'],
          filter: null,
          names: [],
        },
        paths,
      ).command,
    ).toBe('go test -json . ./pkg/a');
  });

  it('turns names into pytest keywords and go -run patterns', () => {
    expect(pytestKeyword(['BOOK-1', 'reads PORT (v2)', 'plain'])).toBe(
      'BOOK_1 or BOOK1 or reads_PORT_v2 or readsPORTv2 or plain',
    );
    expect(goRunPattern(['BOOK-1', 'api v2'])).toBe('(?i)(BOOK[^a-z0-9]*1|api[^a-z0-9]*v2)');
  });

  it('fills a configured template with quoted files, filter and junit path', () => {
    expect(fillTemplate('run {files} --grep {filter} --junit {junit}', byFiles, paths.junit)).toBe(
      "run test/a.test.js 'test/it'\\''s.test.js' --grep '' --junit '/out dir/junit.xml'",
    );
    expect(fillTemplate('run -t {filter}', { ...byName, filter: 'a b' }, paths.junit)).toBe("run -t 'a b'");
  });
});
