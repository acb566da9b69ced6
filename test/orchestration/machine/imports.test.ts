// The machine must run where Node does not (Temporal's workflow bundler refuses Node modules), so
// nothing reachable from orchestration/machine/index.ts may import a Node builtin or a package other
// than the allowed ones, directly or through another module. Type-only imports are erased and do not
// count.
import { builtinModules } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../../..');
const ENTRY = resolve(ROOT, 'src/orchestration/machine/index.ts');
/** Packages the machine may use: pure JavaScript that runs in any V8. */
const ALLOWED_PACKAGES = new Set(['zod']);
const BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/** The module specifiers a file imports at run time (type-only imports left out). */
function runtimeImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const typeOnly =
        clause !== undefined &&
        (clause.isTypeOnly ||
          (clause.name === undefined &&
            clause.namedBindings !== undefined &&
            ts.isNamedImports(clause.namedBindings) &&
            clause.namedBindings.elements.length > 0 &&
            clause.namedBindings.elements.every((e) => e.isTypeOnly)));
      if (!typeOnly) found.push(node.moduleSpecifier.text);
    } else if (
      ts.isExportDeclaration(node) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      const typeOnly =
        node.isTypeOnly ||
        (node.exportClause !== undefined &&
          ts.isNamedExports(node.exportClause) &&
          node.exportClause.elements.length > 0 &&
          node.exportClause.elements.every((e) => e.isTypeOnly));
      if (!typeOnly) found.push(node.moduleSpecifier.text);
    } else if (
      ts.isCallExpression(node) &&
      (node.expression.kind === ts.SyntaxKind.ImportKeyword ||
        (ts.isIdentifier(node.expression) && node.expression.text === 'require')) &&
      node.arguments[0] !== undefined &&
      ts.isStringLiteralLike(node.arguments[0])
    ) {
      found.push(node.arguments[0].text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Every file reachable from `entry` and every import outside the source tree that it makes. */
function importGraph(entry: string): { files: string[]; external: { from: string; specifier: string }[] } {
  const files = new Set<string>();
  const external: { from: string; specifier: string }[] = [];
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (files.has(file)) continue;
    files.add(file);
    for (const specifier of runtimeImports(file)) {
      if (specifier.startsWith('.')) queue.push(resolve(dirname(file), specifier.replace(/\.js$/, '.ts')));
      else external.push({ from: relative(ROOT, file), specifier });
    }
  }
  return { files: [...files].map((f) => relative(ROOT, f)).sort(), external };
}

function forbidden(external: { from: string; specifier: string }[]): string[] {
  return external
    .filter(({ specifier }) => {
      const name = specifier.startsWith('@')
        ? specifier.split('/').slice(0, 2).join('/')
        : specifier.split('/')[0]!;
      return BUILTINS.has(specifier) || specifier.startsWith('node:') || !ALLOWED_PACKAGES.has(name);
    })
    .map(({ from, specifier }) => `${from} imports ${specifier}`);
}

describe('the machine imports', () => {
  it('nothing from Node and no package but zod, directly or indirectly', () => {
    const graph = importGraph(ENTRY);
    expect(graph.files).toContain('src/orchestration/machine/step.ts');
    expect(graph.files).toContain('src/contracts/workflow.ts');
    expect(forbidden(graph.external)).toEqual([]);
  });

  it('is checked by a walk that does find Node imports, also through another module', () => {
    const graph = importGraph(resolve(ROOT, 'src/orchestration/native/interpreter.ts'));
    const found = forbidden(graph.external);
    // interpreter.ts imports no Node module itself; records.ts, which it imports, does.
    expect(found.filter((f) => f.startsWith('src/orchestration/native/interpreter.ts'))).toEqual([]);
    expect(found).toContain('src/orchestration/native/records.ts imports node:crypto');
  });

  it('leaves type-only imports out', () => {
    const imports = runtimeImports(resolve(ROOT, 'src/orchestration/machine/types.ts'));
    expect(imports).toContain('zod');
    expect(imports).not.toContain('../../contracts/task.js');
  });
});
