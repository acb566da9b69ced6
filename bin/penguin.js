#!/usr/bin/env node
// The penguin command. Runs the bundled CLI (dist/bundle/, built by `npm run build`): one file plus
// the chunk of the command group asked for, so that start-up is not spent loading ~300 modules.
import { main } from '../dist/bundle/main.js';

process.exitCode = await main(process.argv.slice(2));
