// The `usage_runner.allow_commands` guard: a shell command line is parsed with tree-sitter's bash
// grammar and every command in it is checked, wherever it sits: after `;`, `&&`, `||` or a newline,
// in a pipeline, a subshell, a `$(...)` or backtick substitution, a process substitution, a heredoc,
// a loop or a function body. What the guard cannot check is refused, saying what it is: a command
// name only known when it runs (`$CMD`, `$(which curl)`) and text the parser cannot read.
//
// It is a guard against mistakes, not a sandbox: an allowed program (python3, node, sh, env, xargs,
// eval...) can start anything.
import { createRequire } from 'node:module';
import { basename } from 'node:path';
import { Language, Parser, type Node } from 'web-tree-sitter';

/**
 * Shell builtins that neither start a program nor run code they are given, so they need no listing:
 * `cd app && node server.js` needs only `node`.
 */
export const IMPLICITLY_ALLOWED = new Set([
  'cd',
  'echo',
  'printf',
  'test',
  '[',
  'true',
  'false',
  ':',
  'pwd',
  'export',
  'unset',
  'set',
  'shift',
  'exit',
  'return',
  'read',
  'wait',
  'local',
]);

let parser: Promise<Parser> | undefined;

/** The bash parser, loaded once (two small WASM files from node_modules). */
function bashParser(): Promise<Parser> {
  parser ??= (async () => {
    await Parser.init();
    const require = createRequire(import.meta.url);
    const bash = await Language.load(require.resolve('tree-sitter-bash/tree-sitter-bash.wasm'));
    const created = new Parser();
    created.setLanguage(bash);
    return created;
  })();
  return parser;
}

/** Why `commandLine` may not run under the allow list (a fragment after "step 2 (...)"), or null. */
export async function refuseCommandLine(
  commandLine: string,
  allowCommands: readonly string[],
): Promise<string | null> {
  if (allowCommands.length === 0) return null;
  const tree = (await bashParser()).parse(commandLine);
  if (tree === null) return 'cannot be checked against usage_runner.allow_commands: the shell parser gave up';
  try {
    const root = tree.rootNode;
    if (root.hasError) {
      const bad = firstError(root);
      const where = bad
        ? ` at line ${bad.startPosition.row + 1}, column ${bad.startPosition.column + 1}`
        : '';
      return `cannot be checked against usage_runner.allow_commands: the shell parser cannot read it${where}`;
    }
    for (const command of commandsIn(root)) {
      const name = command.childForFieldName('name');
      if (name === null) continue;
      const word = staticWord(name);
      if (word === null) {
        return `cannot be checked against usage_runner.allow_commands: the command name \`${name.text}\` is only known when it runs`;
      }
      const refused = refuseCommand(basename(word), allowCommands);
      if (refused !== null) return refused;
    }
    return null;
  } finally {
    tree.delete();
  }
}

/** The reason a program may not run, or null; an empty allow list allows everything. */
export function refuseCommand(program: string | null, allowCommands: readonly string[]): string | null {
  if (allowCommands.length === 0) return null;
  if (program !== null && (allowCommands.includes(program) || IMPLICITLY_ALLOWED.has(program))) return null;
  return `runs \`${program ?? ''}\`, which is not in usage_runner.allow_commands`;
}

/** Every `command` node, in source order (iterative: a deeply nested line cannot overflow the stack). */
function commandsIn(root: Node): Node[] {
  const found: Node[] = [];
  const stack: Node[] = [root];
  while (stack.length > 0) {
    const node = stack.pop() as Node;
    if (node.type === 'command') found.push(node);
    const children = node.namedChildren;
    for (let i = children.length - 1; i >= 0; i--) {
      const child = children[i];
      if (child) stack.push(child);
    }
  }
  return found.sort((a, b) => a.startIndex - b.startIndex);
}

function firstError(root: Node): Node | null {
  const stack: Node[] = [root];
  while (stack.length > 0) {
    const node = stack.pop() as Node;
    if (node.isError || node.isMissing) return node;
    for (const child of node.children) if (child?.hasError || child?.isMissing) stack.push(child);
  }
  return null;
}

/** The text a command name stands for when nothing in it is expanded at run time; null otherwise. */
function staticWord(name: Node): string | null {
  const parts = name.type === 'command_name' ? name.namedChildren : [name];
  let text = '';
  for (const part of parts) {
    const piece = part === null ? null : staticPart(part);
    if (piece === null) return null;
    text += piece;
  }
  return text;
}

function staticPart(node: Node): string | null {
  switch (node.type) {
    case 'word':
    case 'number':
      // Unquoted glob characters would be expanded against the file system.
      if (/(^|[^\\])[*?[]/.test(node.text)) return null;
      return node.text.replace(/\\(.)/g, '$1');
    case 'raw_string':
      return node.text.slice(1, -1);
    case 'string': {
      if (!node.namedChildren.every((child) => child?.type === 'string_content')) return null;
      return node.text.slice(1, -1).replace(/\\([$`"\\])/g, '$1');
    }
    case 'concatenation': {
      let text = '';
      for (const child of node.namedChildren) {
        const piece = child === null ? null : staticPart(child);
        if (piece === null) return null;
        text += piece;
      }
      return text;
    }
    default:
      return null;
  }
}
