// Turns anything thrown by a command into one sentence on stderr and an exit code (DESIGN §8).
// Penguin's own errors are expected and shown plainly; anything else is a bug and keeps its
// stack for --debug.
import { CommanderError } from 'commander';
import { asStoreError } from '../db/errors.js';
import { EXIT_CHECK_FAILED, EXIT_OK, EXIT_USAGE, PenguinError } from '../errors.js';

export interface RenderedError {
  exitCode: number;
  /** What goes to stderr, ending in a newline; empty for help/version exits. */
  text: string;
}

/** Collapses a multi-line message (commander's suggestions, YAML excerpts) to one line. */
function oneLine(message: string): string {
  return message
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join(' ');
}

export function renderError(thrown: unknown, debug: boolean): RenderedError {
  // A store damaged past what opening it checks surfaces on a later query: still one sentence.
  const error = asStoreError(thrown, 'the workspace store');
  if (error instanceof CommanderError) {
    // Help and --version "errors" are commander's way of saying it already printed and is done.
    if (error.exitCode === 0) return { exitCode: EXIT_OK, text: '' };
    // A bare command group (`penguin task`): commander already printed its help on stderr.
    if (error.code === 'commander.help') return { exitCode: EXIT_USAGE, text: '' };
    const message = oneLine(error.message).replace(/^error:\s*/, '');
    return { exitCode: EXIT_USAGE, text: `error: ${message} (see penguin --help)\n` };
  }
  if (error instanceof PenguinError) {
    const stack = debug && error.stack ? `${error.stack}\n` : '';
    return { exitCode: error.exitCode, text: `error: ${oneLine(error.message)}\n${stack}` };
  }
  const message = error instanceof Error ? error.message : String(error);
  if (debug) {
    const stack = error instanceof Error && error.stack ? error.stack : message;
    return { exitCode: EXIT_CHECK_FAILED, text: `internal error: ${oneLine(message)}\n${stack}\n` };
  }
  return {
    exitCode: EXIT_CHECK_FAILED,
    text: `internal error: ${oneLine(message)} (run with --debug for the stack)\n`,
  };
}
