// The penguin command line (DESIGN §8). Builds the commander program from the command groups,
// runs it, and turns every outcome into an exit code: 0 ok, 1 a check failed, 2 bad usage or input.
// Only the groups the command word names are loaded (docs/architecture.md, "Start-up").
import { readFileSync } from 'node:fs';
import { Command, type OutputConfiguration } from 'commander';
import { COMMAND_WORDS, loadCommandGroups, loadSubcommandGroups } from './commands/index.js';
import { CliContext, type CommandGroup, type Interrupts } from './context.js';
import { asStoreError } from '../db/errors.js';
import { renderError } from './errors.js';
import { processIo, type CliIo } from './output.js';

function packageVersion(): string {
  const pkg: unknown = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  return pkg !== null && typeof pkg === 'object' && 'version' in pkg ? String(pkg.version) : '0.0.0';
}

function outputConfig(io: CliIo): OutputConfiguration {
  return {
    writeOut: (text) => io.stdout(text),
    writeErr: (text) => io.stderr(text),
    // Commander's error text is replaced by the one-line rendering in main().
    outputError: () => undefined,
  };
}

/** Global options followed by a value, which is then not a command word. */
const VALUED_GLOBALS: ReadonlySet<string> = new Set(['--workspace']);

/** The first two command words of `argv` (global options and their values skipped). */
function commandWords(argv: readonly string[]): [string | undefined, string | undefined] {
  const words: string[] = [];
  for (let i = 0; i < argv.length && words.length < 2; i++) {
    const arg = argv[i]!;
    if (arg === '--') break;
    if (VALUED_GLOBALS.has(arg)) i++;
    else if (!arg.startsWith('-')) words.push(arg);
  }
  return [words[0], words[1]];
}

/**
 * The program with the command groups `argv` needs: none for a bare `--version` (commander answers it
 * on the program), the groups of its first command word, or all of them for help and unknown words.
 */
async function programFor(ctx: CliContext, argv: readonly string[]): Promise<Command> {
  const [word, next] = commandWords(argv);
  const help = argv.includes('-h') || argv.includes('--help');
  if (word === undefined && !help && (argv.includes('-V') || argv.includes('--version'))) {
    return buildProgram(ctx, []);
  }
  const program = buildProgram(ctx, await loadCommandGroups(word));
  if (word === undefined || !COMMAND_WORDS.has(word)) return program;
  const parent = program.commands.find((c) => c.name() === word);
  const known = (name: string): boolean =>
    parent?.commands.some((c) => c.name() === name || c.aliases().includes(name)) ?? false;
  addGroups(program, ctx, await loadSubcommandGroups(word, next, known));
  return program;
}

export function buildProgram(ctx: CliContext, groups: readonly CommandGroup[]): Command {
  const program = new Command('penguin')
    .description('Spec-driven development with coding agents: blueprints -> task DAG -> verified ITUV runs')
    .option('--json', 'print exactly one JSON document on stdout')
    .option(
      '--workspace <dir>',
      'the workspace directory (default: the nearest directory with .penguin/ at or above the current one)',
    )
    .option('--debug', 'show stack traces for errors')
    .version(packageVersion(), '-V, --version')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput(outputConfig(ctx.io));
  addGroups(program, ctx, groups);
  return program;
}

function addGroups(program: Command, ctx: CliContext, groups: readonly CommandGroup[]): void {
  for (const register of groups) register(program, ctx);
  // Subcommands made with .command() copy these settings; set them again in case a group used addCommand.
  const inherit = (command: Command): void => {
    for (const sub of command.commands) {
      sub.exitOverride().configureOutput(outputConfig(ctx.io));
      inherit(sub);
    }
  };
  inherit(program);
}

/**
 * Ctrl-C and TERM, for the length of one command. A handler that hosts workflows takes the signal
 * (ctx.interruptSignal()) and winds down on it: its runs go back to the store at once and it exits
 * 130. Any other command ends the way it would without this handler: by the signal.
 */
function trapInterrupts(): Interrupts & { release(): void } {
  const controller = new AbortController();
  let taken = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    release();
    if (taken) controller.abort(signal);
    else process.kill(process.pid, signal);
  };
  const release = (): void => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return {
    take: () => {
      taken = true;
      return controller.signal;
    },
    release,
  };
}

export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const interrupts = trapInterrupts();
  const ctx = new CliContext(io, interrupts);
  const debug = argv.includes('--debug');
  try {
    const program = await programFor(ctx, argv);
    if (argv.length === 0) {
      io.stdout(program.helpInformation());
      return 0;
    }
    await program.parseAsync(argv, { from: 'user' });
    return ctx.exitCode;
  } catch (error) {
    const rendered = renderError(asStoreError(error, ctx.storeFile ?? 'the workspace store'), debug);
    if (rendered.text !== '') io.stderr(rendered.text);
    return rendered.exitCode;
  } finally {
    await ctx.close();
    interrupts.release();
  }
}
