// The blueprint use cases (src/app/blueprints.ts) on a real temp workspace: how the sources a sync
// and a status read are chosen. Parsing itself is tested in test/blueprint/.
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { blueprintDrift, syncBlueprints } from '../../src/app/blueprints.js';
import { initWorkspace } from '../../src/config/workspace.js';
import { openWorkspace, type Workspace } from '../../src/project/workspace.js';

let dir: string;
let outside: string;
let ws: Workspace | null = null;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'penguin-app-blueprints-'));
  outside = mkdtempSync(join(tmpdir(), 'penguin-outside-'));
});
afterEach(() => {
  ws?.close();
  ws = null;
  rmSync(dir, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

const spec = (key: string): string =>
  `---\nproject_key: ${key}\n---\n## Tasks\n- [ ] ${key}-1 One {estimate=1}\n  - Acceptance: a\n`;

function open(): Workspace {
  ws?.close();
  ws = openWorkspace({ cwd: dir, env: {} });
  return ws;
}

describe('blueprint sources that are symlinks leading outside the workspace', () => {
  beforeEach(() => {
    initWorkspace(dir);
    writeFileSync(join(dir, 'context/specs/ours.md'), spec('IN'));
    writeFileSync(join(outside, 'theirs.md'), spec('OUT'));
    symlinkSync(join(outside, 'theirs.md'), join(dir, 'context/specs/theirs.md'));
  });

  it('are not synced, and the sync and the status say so in a warning naming the link', async () => {
    const warning = expect.objectContaining({
      code: 'BP-PARSE-035',
      severity: 'warning',
      file: join(dir, 'context/specs/theirs.md'),
    });
    const { report } = await syncBlueprints(open());
    expect(report.ok).toBe(true);
    expect(report.projects.map((p) => p.key)).toEqual(['IN']);
    expect(report.diagnostics).toEqual([warning]);
    expect((await blueprintDrift(open())).diagnostics).toEqual([warning]);
  });

  it('are read with blueprints.follow_symlinks: true', async () => {
    writeFileSync(join(dir, 'penguin.yaml'), 'blueprints:\n  follow_symlinks: true\n');
    const { report } = await syncBlueprints(open());
    expect(report.projects.map((p) => p.key).sort()).toEqual(['IN', 'OUT']);
    expect(report.diagnostics).toEqual([]);
  });
});
