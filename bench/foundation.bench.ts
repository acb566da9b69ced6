// Foundation figures: parse+lint+sync of a 10,000-item blueprint, an unchanged re-sync, drift after
// one edit, and the frontier over 100,000 tasks / 300,000 edges (indexed, as the store hands them over).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBlueprint } from '../src/blueprint/load.js';
import { computeDrift } from '../src/project/drift.js';
import { computeFrontier, indexDependencies } from '../src/project/frontier.js';
import type { Task } from '../src/project/model.js';
import { openSqliteStore } from '../src/project/sqlite/store.js';
import type { FrontierTask } from '../src/project/store.js';
import { syncBlueprints } from '../src/project/sync.js';
import { generateTaskGraph } from './generate-tasks.js';
import { atMost, medianMs, type BenchFigure } from './measure.js';

/** A markdown blueprint of `count` items, each depending on up to two earlier ones. */
export function generateMarkdownBlueprint(count: number, editedItem = -1): string {
  const lines = [
    '---',
    'title: Generated',
    'project_key: GEN',
    '---',
    '',
    '## Overview',
    'Generated.',
    '',
    '## Tasks',
  ];
  const priorities = ['low', 'medium', 'high', 'critical'];
  for (let i = 1; i <= count; i++) {
    const title = i === editedItem ? `Item ${i} edited` : `Item ${i}`;
    lines.push(
      `- [ ] GEN-${i} ${title} {priority=${priorities[i % 4]}, estimate=${(i % 5) + 1}, labels=a,b}`,
    );
    lines.push(`  - Acceptance: item ${i} works`);
    const deps = [i - 1, i - 7].filter((d) => d >= 1).map((d) => `GEN-${d}`);
    if (deps.length) lines.push(`  - Depends: ${deps.join(', ')}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The fields of a task that the store reads for the frontier (Store.frontierGraph). */
function frontierFields(t: Task): FrontierTask {
  return {
    id: t.id,
    blueprint_id: t.blueprint_id,
    title: t.title,
    status: t.status,
    phase: t.phase,
    orphaned: t.orphaned,
    blueprint_order: t.blueprint_order,
    priority: t.priority,
    sequence: t.sequence,
    due: t.due,
    estimate: t.estimate,
    effort: t.effort,
    value: t.value,
    risk: t.risk,
    created_at: t.created_at,
  };
}

export async function benchFoundation(): Promise<BenchFigure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'penguin-bench-'));
  try {
    const file = join(dir, 'big.md');
    writeFileSync(file, generateMarkdownBlueprint(10_000));
    let round = 0;
    const firstSync = await medianMs(5, async () => {
      const store = openSqliteStore(join(dir, `first-${round++}.db`));
      const report = await syncBlueprints(store, [loadBlueprint(file)], { workspaceRoot: dir });
      if (!report.ok || report.projects[0]?.created.length !== 10_000) throw new Error('first sync failed');
      await store.close();
    });

    const store = openSqliteStore(join(dir, 'resync.db'));
    await syncBlueprints(store, [loadBlueprint(file)], { workspaceRoot: dir });
    const resync = await medianMs(5, async () => {
      const report = await syncBlueprints(store, [loadBlueprint(file)], { workspaceRoot: dir });
      if (report.projects[0]?.unchanged.length !== 10_000) throw new Error('re-sync changed something');
    });
    const parsed = loadBlueprint(file);
    const resyncOnly = await medianMs(5, () => syncBlueprints(store, [parsed], { workspaceRoot: dir }));

    writeFileSync(file, generateMarkdownBlueprint(10_000, 5_000));
    const edited = loadBlueprint(file);
    const parseOnly = await medianMs(5, () => loadBlueprint(file));
    const drift = await medianMs(5, async () => {
      const report = await computeDrift(store, [edited], { workspaceRoot: dir, testPatterns: [] });
      if (report.projects[0]?.changed.length !== 1) throw new Error('drift missed the edit');
    });
    await store.close();

    const graph = generateTaskGraph(100_000, 300_000, 42);
    // As the store hands them over (Store.frontierGraph): the frontier's fields of each task, and the
    // dependencies as task positions.
    const tasks = graph.tasks.map(frontierFields);
    const edges = indexDependencies(tasks, graph.dependencies);
    const frontier = await medianMs(5, () => computeFrontier({ tasks, dependencies: edges }));
    const byId = await medianMs(5, () =>
      computeFrontier({ tasks: graph.tasks, dependencies: graph.dependencies }),
    );

    return [
      atMost('parse+lint+sync 10,000 items (fresh store)', firstSync, 'ms', 1000),
      atMost('re-sync unchanged 10,000 items (parse+lint+sync)', resync, 'ms', 300),
      { ...atMost('  of which sync alone', resyncOnly, 'ms', 300) },
      atMost('drift after editing one of 10,000 items (drift alone)', drift, 'ms', 50),
      {
        name: '  parse+lint of the edited 10,000-item file (for reference)',
        value: parseOnly,
        unit: 'ms',
        target: 'n/a',
        ok: true,
      },
      atMost('frontier over 100,000 tasks / 300,000 edges (indexed)', frontier, 'ms', 100),
      {
        name: '  by string id, from whole tasks (for reference)',
        value: byId,
        unit: 'ms',
        target: 'n/a',
        ok: true,
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
