// The example's scripted coding agent: copies the prepared files for the task into its working
// directory (the workflow's worktree). For a task with a prepared wrong version it applies that one
// first, and the right one once the prompt reports a failed attempt, as a real agent given the
// test output would.
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const id = process.env.PENGUIN_BLUEPRINT_ID ?? '';
const prompt = process.env.PENGUIN_PROMPT_FILE ? readFileSync(process.env.PENGUIN_PROMPT_FILE, 'utf8') : '';
const retried = prompt.includes('## Previous attempt failed');
const wrong = join(here, 'wrong', id);
const source = !retried && existsSync(wrong) ? wrong : join(here, 'solutions', id);
if (!existsSync(source)) {
  console.error(`no prepared change for task ${id}`);
  process.exit(3);
}
cpSync(source, process.cwd(), { recursive: true });
const summary = `applied the ${source === wrong ? 'first (wrong)' : 'prepared'} change for ${id}`;
console.log(summary);
if (process.env.PENGUIN_RESULT_FILE) {
  writeFileSync(process.env.PENGUIN_RESULT_FILE, JSON.stringify({ status: 'done', summary }));
}
