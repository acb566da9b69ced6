// Bench-only: times the two hot paths the foundation benchmark reports, without needing the parser.
// Run: `npx vite-node bench/hot-paths.bench.ts [frontier|drift]`. Median of 5 runs after 2 warm-ups.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Blueprint, BlueprintItem, Priority } from '../src/blueprint/model.js';
import { computeDrift } from '../src/project/drift.js';
import { computeFrontier } from '../src/project/frontier.js';
import { openStore } from '../src/project/sqlite-store.js';
import { syncBlueprints } from '../src/project/sync.js';
import { generateTaskGraph } from './generate-tasks.js';
import { medianMs } from './measure.js';

const PRIORITIES: Priority[] = ['low', 'medium', 'high', 'critical'];

/** The Blueprint that bench/foundation.bench.ts generateMarkdownBlueprint(count, edited) parses to. */
function generatedBlueprint(file: string, count: number, editedItem = -1): Blueprint {
  const items: BlueprintItem[] = [];
  for (let i = 1; i <= count; i++) {
    const deps = [i - 1, i - 7].filter((d) => d >= 1).map((d) => `GEN-${d}`);
    items.push({
      id: `GEN-${i}`,
      title: i === editedItem ? `Item ${i} edited` : `Item ${i}`,
      line: 10 + i * 3,
      parent_id: null,
      description: null,
      acceptance_criteria: [`item ${i} works`],
      depends_on: deps,
      dependency_specs: deps.map((task_id) => ({ task_id, policy: 'completion_required' })),
      recipe: null,
      tests: [],
      priority: PRIORITIES[i % 4]!,
      labels: ['a', 'b'],
      assignees: [],
      required_tools: [],
      skills: [],
      due: null,
      sequence: null,
      estimate: (i % 5) + 1,
      effort: null,
      value: null,
      risk: null,
      agent_role: null,
      parallelizable: null,
      batch: null,
      checked: false,
      order: i - 1,
    });
  }
  return {
    file,
    format: 'markdown',
    project_key: 'GEN',
    title: 'Generated',
    frontmatter: { title: 'Generated', project_key: 'GEN' },
    sections: [],
    items,
    recipes: [],
    validation: [],
    diagnostics: [],
  };
}

async function measure(name: string, fn: () => unknown): Promise<void> {
  for (let i = 0; i < 2; i++) fn();
  const ms = await medianMs(5, fn);
  console.log(`${name.padEnd(50)} ${ms.toFixed(1).padStart(8)} ms`);
}

async function benchFrontier(): Promise<void> {
  const graph = generateTaskGraph(100_000, 300_000, 42);
  await measure('frontier 100,000 tasks / 300,000 edges', () =>
    computeFrontier({ tasks: graph.tasks, dependencies: graph.dependencies }),
  );
}

async function benchDrift(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'penguin-hot-'));
  try {
    const file = join(dir, 'big.md');
    const store = openStore(join(dir, 'drift.db'));
    const report = syncBlueprints(store, [generatedBlueprint(file, 10_000)], { workspaceRoot: dir });
    if (!report.ok) throw new Error('sync failed');
    const edited = generatedBlueprint(file, 10_000, 5_000);
    await measure('drift after editing one of 10,000 items', () => {
      const drift = computeDrift(store, [edited], { workspaceRoot: dir, testPatterns: [] });
      if (drift.projects[0]?.changed.length !== 1) throw new Error('drift missed the edit');
    });
    store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const only = process.argv[2];
if (only === undefined || only === 'frontier') await benchFrontier();
if (only === undefined || only === 'drift') await benchDrift();
