// Small helpers the command groups share.
import { isAbsolute, relative } from 'node:path';
import type { Command } from 'commander';
import type { Diagnostic } from '../../blueprint/model.js';
import type { Output } from '../output.js';

/** `path` relative to `cwd` when it is inside it, else unchanged: short and still clickable. */
export function displayPath(path: string, cwd: string): string {
  if (!isAbsolute(path)) return path;
  const rel = relative(cwd, path);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}

/** `file:line:col: severity CODE message`, the format editors and CI annotate from. */
export function diagnosticLine(diag: Diagnostic, cwd: string, out: Output): string {
  const where = `${displayPath(diag.file, cwd)}:${diag.line}${diag.column === undefined ? '' : `:${diag.column}`}`;
  const severity = out.paint(diag.severity, diag.severity === 'error' ? 'red' : 'yellow');
  return `${where}: ${severity} ${diag.code} ${diag.message}`;
}

export function countSummary(diagnostics: readonly Diagnostic[]): string {
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.length - errors;
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  return `${plural(errors, 'error')}, ${plural(warnings, 'warning')}`;
}

/** Adds `--project KEY` to a command. */
export function withProject(command: Command): Command {
  return command.option('--project <key>', 'the project (required when the workspace has several)');
}

export interface ProjectOption {
  project?: string;
}
