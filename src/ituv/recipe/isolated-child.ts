// Entry point of the isolated recipe run (see isolation.ts): reads the input file named on the command
// line, runs the recipe with this process's (namespaced) network and writes the result file.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { executeRecipe } from './execute.js';
import { childInputSchema } from './protocol.js';

async function main(): Promise<void> {
  const inputFile = process.argv[2];
  if (!inputFile) throw new Error('usage: isolated-child.js <input.json>');
  const input = childInputSchema.parse(JSON.parse(readFileSync(inputFile, 'utf8')));
  const controller = new AbortController();
  // The parent cancels by creating the cancel file (signals are a fallback): stop the current step,
  // tear the service down, and still write the result.
  const poll = setInterval(() => {
    if (existsSync(input.cancelFile)) controller.abort();
  }, 100);
  poll.unref();
  process.on('SIGTERM', () => controller.abort());
  process.on('SIGINT', () => controller.abort());
  const result = await executeRecipe(
    input.recipe,
    { ...input.options, network: true, sourceEnv: process.env, signal: controller.signal },
    input.network,
  );
  writeFileSync(input.resultFile, JSON.stringify(result), 'utf8');
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `penguin isolated recipe run failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  },
);
