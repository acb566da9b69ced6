// docs/blueprints.md is the source of truth for the diagnostic codes: its table must list exactly the
// codes the parser and linter use (src/blueprint/codes.ts), with their severities, and each code's
// example must produce that code. The examples are read out of the doc, so the doc cannot drift.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import * as codes from '../../src/blueprint/codes.js';
import { loadBlueprint } from '../../src/blueprint/load.js';
import type { Diagnostic } from '../../src/blueprint/model.js';
import { expandBlueprintSources } from '../../src/blueprint/sources.js';

const DOC = readFileSync(fileURLToPath(new URL('../../docs/blueprints.md', import.meta.url)), 'utf8');
const CODE = /BP-(?:PARSE|LINT)-\d{3}/;

/** code -> severity, from the rows of the Diagnostics table. */
function tableRows(): Map<string, string> {
  const rows = new Map<string, string>();
  for (const match of DOC.matchAll(/^\| (BP-(?:PARSE|LINT)-\d{3}) \| (error|warning) \|/gm)) {
    rows.set(match[1]!, match[2]!);
  }
  return rows;
}

interface Example {
  code: string;
  lang: string;
  attrs: Record<string, string>;
  body: string;
}

/** The first fenced block after each `#### CODE` heading. */
function examples(): Example[] {
  const out: Example[] = [];
  const re = /^#### (BP-[A-Z]+-\d{3})\n+```(\w+)([^\n]*)\n([\s\S]*?)^```$/gm;
  for (const match of DOC.matchAll(re)) {
    const attrs: Record<string, string> = {};
    for (const pair of match[3]!.trim().split(/\s+/).filter(Boolean)) {
      const [key, value] = pair.split('=');
      attrs[key!] = value ?? '';
    }
    out.push({ code: match[1]!, lang: match[2]!, attrs, body: match[4]! });
  }
  return out;
}

const EXTENSIONS: Record<string, string> = { markdown: 'md', yaml: 'yaml', json: 'json', text: 'txt' };
const dir = mkdtempSync(join(tmpdir(), 'penguin-codes-doc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes the example as its attributes say and returns what Penguin reports for it. */
function diagnosticsOf(example: Example, index: number): Diagnostic[] {
  const ws = join(dir, `ws-${index}`);
  const file = join(ws, example.attrs.file ?? `example.${EXTENSIONS[example.lang] ?? 'md'}`);
  mkdirSync(dirname(file), { recursive: true });
  if (example.attrs.as === 'directory') {
    mkdirSync(file);
    return loadBlueprint(file).diagnostics;
  }
  if (example.attrs.as === 'outside-link') {
    const outside = join(dir, `outside-${index}`, basename(file));
    mkdirSync(dirname(outside), { recursive: true });
    writeFileSync(outside, example.body);
    symlinkSync(outside, file);
    return expandBlueprintSources(ws, [relative(ws, file)]).refused;
  }
  let text = example.body;
  const size = /^(\d+)MiB$/.exec(example.attrs.size ?? '');
  if (size) text = text.repeat(Math.ceil((Number(size[1]) * 1024 * 1024) / text.length));
  writeFileSync(file, example.attrs.bytes === 'latin1' ? Buffer.from(text, 'latin1') : text);
  return loadBlueprint(file).diagnostics;
}

describe('docs/blueprints.md diagnostics', () => {
  const rows = tableRows();
  const listed = examples();

  it('lists every code the parser and linter use, and no other', () => {
    const used = Object.values(codes).filter((value) => typeof value === 'string' && CODE.test(value));
    expect([...rows.keys()].sort()).toEqual([...new Set(used)].sort());
  });

  it('gives exactly one example per listed code', () => {
    expect(listed.map((e) => e.code).sort()).toEqual([...rows.keys()].sort());
  });

  it.each(listed.map((example, index) => [example.code, example, index] as const))(
    '%s: its example produces it with the listed severity',
    (code, example, index) => {
      const found = diagnosticsOf(example, index).filter((d) => d.code === code);
      expect(found, `${code} from:\n${example.body}`).not.toEqual([]);
      expect(found.map((d) => d.severity)).toContain(rows.get(code));
    },
  );
});
