// The ITUVWorkflow's code as the worker loads it: bundled once with the SDK's bundler (about 0.6 s)
// and cached, in this process and in a cache directory, under a hash of the files the bundle is made
// of, so a worker normally starts in a fraction of a second and a changed workflow is rebundled.
// Also the one installation of the SDK's Runtime: a logger for errors only, and no OS signal handlers of its own
// (only Penguin's entry points handle Ctrl-C and TERM).
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  bundleWorkflowCode,
  DefaultLogger,
  makeTelemetryFilterString,
  Runtime,
  type WorkflowBundle,
} from '@temporalio/worker';

const here = dirname(fileURLToPath(import.meta.url));

/** The workflow module: tsc's output next to this file when built, the source under vitest. */
function workflowEntry(): string {
  for (const name of ['workflow.js', 'workflow.ts']) {
    const path = join(here, name);
    if (existsSync(path)) return path;
  }
  throw new Error(`the ITUV workflow module is missing next to ${here}; run npm run build`);
}

/** The files a bundle is made of: the workflow, the machine and the contracts, and the SDK's version. */
function bundleHash(entry: string): string {
  const hash = createHash('sha256');
  const root = dirname(dirname(here)); // src/ or dist/
  const dirs = [here, join(root, 'orchestration', 'machine'), join(root, 'contracts')];
  for (const dir of dirs) {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (/\.(ts|js)$/.test(name) && statSync(path).isFile()) hash.update(name).update(readFileSync(path));
    }
  }
  hash.update(entry);
  return hash.digest('hex').slice(0, 16);
}

const inProcess = new Map<string, Promise<WorkflowBundle>>();

/**
 * The workflow bundle: from the cache directory when it holds this version's, else built (once per
 * process) and written there, replacing the bundles of other versions.
 */
export async function workflowBundle(cacheDir?: string): Promise<WorkflowBundle> {
  const entry = workflowEntry();
  const key = bundleHash(entry);
  const name = `ituv-workflow-${key}.js`;
  if (cacheDir && existsSync(join(cacheDir, name)))
    return { code: readFileSync(join(cacheDir, name), 'utf8') };
  let building = inProcess.get(key);
  if (!building) {
    building = build(entry);
    inProcess.set(key, building);
    building.catch(() => inProcess.delete(key));
  }
  const bundle = await building;
  if (cacheDir) writeCache(cacheDir, name, bundle.code);
  return bundle;
}

async function build(entry: string): Promise<WorkflowBundle> {
  installRuntime();
  const { code } = await bundleWorkflowCode({
    workflowsPath: entry,
    logger: quietLogger(),
    // The sources import './x.js' for './x.ts' (NodeNext); webpack needs telling.
    webpackConfigHook: (config) => ({
      ...config,
      resolve: { ...config.resolve, extensionAlias: { '.js': ['.ts', '.js'] } },
    }),
  });
  return { code };
}

function writeCache(cacheDir: string, name: string, code: string): void {
  try {
    mkdirSync(cacheDir, { recursive: true });
    const tmp = join(cacheDir, `${name}.${process.pid}.tmp`);
    writeFileSync(tmp, code);
    renameSync(tmp, join(cacheDir, name));
    for (const old of readdirSync(cacheDir)) {
      if (/^ituv-workflow-.*\.js$/.test(old) && old !== name) rmSync(join(cacheDir, old), { force: true });
    }
  } catch {
    // A cache that cannot be written costs a rebundle next time, nothing else.
  }
}

/** Errors only: a gate failure is an activity failure, which the SDK would log as a warning. */
function quietLogger(): DefaultLogger {
  return new DefaultLogger('ERROR', (entry) => {
    process.stderr.write(`temporal ${entry.level.toLowerCase()}: ${entry.message}\n`);
  });
}

let installed = false;

/** Installs the SDK's Runtime once per process: errors only, no signal handlers. */
export function installRuntime(): void {
  if (installed) return;
  installed = true;
  try {
    Runtime.install({
      shutdownSignals: [],
      logger: quietLogger(),
      // The native core logs on its own: errors only there too (a replay's nondeterminism is one).
      telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR', other: 'ERROR' }) } },
    });
  } catch {
    // Installed already (by another copy of this module, e.g. under a test runner): keep it.
  }
}
