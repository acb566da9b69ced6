// A scripted coding agent: copies the prepared files for the task Penguin gives it into the
// workspace, then reports through the result file. Set PENGUIN_EXAMPLE_VARIANT=wrong to apply a
// deliberately wrong implementation where one is prepared.
import { cpSync, existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const id = process.env.PENGUIN_BLUEPRINT_ID;
const variant = process.env.PENGUIN_EXAMPLE_VARIANT === 'wrong' ? 'wrong' : 'solutions';
let source = join(here, variant, id ?? '');
if (!existsSync(source)) source = join(here, 'solutions', id ?? '');
if (!id || !existsSync(source)) {
  console.error(`no prepared change for task ${id}`);
  process.exit(3);
}
cpSync(source, process.cwd(), { recursive: true });
console.log(`applied ${variant} for ${id}`);
if (process.env.PENGUIN_RESULT_FILE) {
  writeFileSync(
    process.env.PENGUIN_RESULT_FILE,
    JSON.stringify({ status: 'done', summary: `applied ${variant} for ${id}` }),
  );
}
