// The usage_runner.allow_commands guard: every command of a shell line is checked wherever it sits
// (lists, pipes, substitutions, heredocs, loops, functions); what cannot be known before it runs is refused.
import { describe, expect, it } from 'vitest';
import { refuseCommandLine } from '../../../src/ituv/recipe/guard.js';

const ALLOW = ['node', 'grep'];
const refused = (program: string): string =>
  `runs \`${program}\`, which is not in usage_runner.allow_commands`;
const unknowable = (name: string): string =>
  `cannot be checked against usage_runner.allow_commands: the command name \`${name}\` is only known when it runs`;

describe('refuseCommandLine', () => {
  it.each([
    ['node app.js', null],
    ['PORT=1 /usr/bin/node x.js | grep ok', null],
    ['cd app && node server.js; echo "done"', null],
    ["'no''de' x.js", null],
    ['n\\ode x.js', null],
    ['node x.js; curl http://example.invalid', refused('curl')],
    ['node x.js && wget y', refused('wget')],
    ['node x.js || nc -l 1', refused('nc')],
    ['node x.js | sh', refused('sh')],
    ['node x.js\ncurl y', refused('curl')],
    ['node $(curl y)', refused('curl')],
    ['node `wget y`', refused('wget')],
    ['echo "${X:-$(curl y)}"', refused('curl')],
    ['node <(curl y)', refused('curl')],
    ['(curl y)', refused('curl')],
    ['{ curl y; }', refused('curl')],
    ['for i in 1 2; do curl $i; done', refused('curl')],
    ['f() { curl y; }; f', refused('curl')],
    ['node x.js > $(curl y)', refused('curl')],
    ['A=$(curl y) node x.js', refused('curl')],
    ['export A=$(curl y)', refused('curl')],
    ['cat <<EOF\n$(curl y)\nEOF', refused('cat')],
    ['node x.js <<EOF\n$(curl y)\nEOF', refused('curl')],
    ['eval "node x.js"', refused('eval')],
    ['$CMD x', unknowable('$CMD')],
    ['"$(which curl)" x', unknowable('"$(which curl)"')],
    ['/usr/bin/no* x', unknowable('/usr/bin/no*')],
  ])('%j -> %s', async (line, expected) => {
    expect(await refuseCommandLine(line, ALLOW)).toBe(expected);
  });

  it('refuses what the parser cannot read, saying where', async () => {
    expect(await refuseCommandLine('node x.js; echo (', ALLOW)).toMatch(
      /^cannot be checked against usage_runner\.allow_commands: the shell parser cannot read it at line 1, column \d+$/,
    );
  });

  it('checks nothing when the allow list is empty', async () => {
    expect(await refuseCommandLine('curl x; $CMD', [])).toBeNull();
  });
});
