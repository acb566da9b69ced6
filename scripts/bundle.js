// Bundles the CLI for start-up speed (issue 7 item 7): one ESM entry (dist/bundle/main.js) plus a
// chunk per command group, split at the dynamic imports of src/cli/commands/index.ts, with the pure-JS
// dependencies inlined so that Node resolves and compiles a handful of files instead of ~300 modules.
// `tsc` still builds dist/ (typechecking, and scripts spawned on their own such as
// dist/ituv/recipe/isolated-child.js); the bundle only replaces what bin/penguin.js loads.
import { readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const src = join(root, 'src');
const outdir = join(root, 'dist', 'bundle');

/**
 * Source rewrites for the bundle only, each keeping what the module means:
 * - Every chunk lands in dist/bundle/, so `import.meta.url` there no longer says where a module's own
 *   file would be. Paths relative to it (../../package.json, ../../examples/, the isolated child
 *   script) stay right by giving each module the URL of its tsc output, dist/<dir>/<file>.js.
 * - `import { z } from 'zod'` reaches zod's API through a re-exported namespace object, which keeps
 *   all of zod (its 60-odd locales too, three quarters of a megabyte) in the chunk every command
 *   loads; `import * as z` is the same API and lets esbuild keep only what is used.
 * @type {import('esbuild').Plugin}
 */
const sourceRewrites = {
  name: 'penguin-source-rewrites',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async (args) => {
      if (!args.path.startsWith(src + sep)) return undefined;
      const own = relative(src, args.path).split(sep).join('/').replace(/\.ts$/, '.js');
      const url = `new URL(${JSON.stringify(`../${own}`)}, import.meta.url).href`;
      const text = (await readFile(args.path, 'utf8'))
        .replaceAll('import.meta.url', url)
        .replaceAll("import { z } from 'zod';", "import * as z from 'zod';");
      return { contents: text, loader: 'ts' };
    });
  },
};

// Chunk names carry content hashes: clear the last build's, so only this build's files remain.
await rm(outdir, { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: { main: join(src, 'cli', 'main.ts') },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // A package's ES module build first: the UMD builds some ship as "main" (jsonc-parser) require
  // their own files by relative path at run time, which a bundle cannot serve.
  mainFields: ['module', 'main'],
  // Packages that find their own files by path stay packages Node resolves: a native addon loaded
  // through `bindings`, and a WebAssembly runtime that fetches its .wasm next to its module.
  // The Temporal SDK too: its worker loads a native library and bundles workflow code by path.
  external: ['better-sqlite3', 'web-tree-sitter', '@temporalio/*'],
  // Inlined CommonJS dependencies (commander, ...) call require() for Node's built-ins.
  banner: {
    js: "import { createRequire as __penguinRequire } from 'node:module';\nconst require = __penguinRequire(import.meta.url);",
  },
  chunkNames: '[name]-[hash]',
  sourcemap: true,
  metafile: true,
  logLevel: 'warning',
  plugins: [sourceRewrites],
});

// Which source modules each output file holds: the lazy-loading test maps loaded files back to src/.
await writeFile(join(outdir, 'meta.json'), JSON.stringify(result.metafile));
