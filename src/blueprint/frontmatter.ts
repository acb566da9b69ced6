// The blueprint-level fields (markdown frontmatter, top level of YAML/JSON): a loose zod schema that
// types the known keys and keeps unknown ones.
import { z } from 'zod';
import type { BlueprintItem, Diagnostic, Frontmatter } from './model.js';
import { formatPath, type Locate, type PathKey } from './yaml-lines.js';

const text = z.union([z.string(), z.number()]).transform(String);
const timebox = z.number().positive();

export const frontmatterSchema = z.looseObject({
  title: text.optional(),
  project_key: text.pipe(z.string().regex(/^\S+$/, 'expected a key without spaces')).optional(),
  version: text.optional(),
  status: z.string().optional(),
  owners: z.array(z.string()).optional(),
  labels: z.array(z.string()).optional(),
  repo: z.string().optional(),
  path: z.string().optional(),
  created: text.optional(),
  updated: text.optional(),
  ituv: z
    .looseObject({
      enabled: z.boolean().optional(),
      phase_timebox_sec: z
        .strictObject({
          implement: timebox.optional(),
          test: timebox.optional(),
          use: timebox.optional(),
          verify: timebox.optional(),
        })
        .optional(),
    })
    .optional(),
  agent_defaults: z
    .strictObject({
      agent_role: z.string().optional(),
      required_tools: z.array(z.string()).optional(),
      skills: z.array(z.string()).optional(),
    })
    .optional(),
});

/**
 * Validate blueprint-level fields. A field with a bad value is reported (`code`, at its line) and
 * dropped; the rest is kept, so one typo does not hide the whole header.
 */
export function validateFrontmatter(
  raw: Record<string, unknown>,
  locate: Locate,
  file: string,
  code: string,
  diagnostics: Diagnostic[],
  where: string,
): Frontmatter {
  const value: Record<string, unknown> = { ...raw };
  // Each round drops the top-level keys that failed; the second round cannot fail on them again.
  for (let round = 0; round < 3; round++) {
    const parsed = frontmatterSchema.safeParse(value);
    if (parsed.success) return parsed.data as Frontmatter;
    for (const issue of parsed.error.issues) {
      const path = issue.path as PathKey[];
      const keys = issue.code === 'unrecognized_keys' ? issue.keys : [];
      const fullPath = keys.length > 0 ? [...path, keys[0]!] : path;
      if (round === 0)
        diagnostics.push({
          code,
          severity: 'error',
          message: `${where} field ${formatPath(fullPath) || '(root)'}: ${issue.message}`,
          file,
          line: locate(fullPath),
        });
      const top = path[0];
      if (top !== undefined) delete value[String(top)];
    }
  }
  return {};
}

/** Frontmatter/top-level agent_defaults fill the agent fields an item leaves unset. */
export function applyDefaults(
  item: BlueprintItem,
  defaults: NonNullable<Frontmatter['agent_defaults']>,
): void {
  if (item.agent_role === null && defaults.agent_role !== undefined) item.agent_role = defaults.agent_role;
  if (item.required_tools.length === 0 && defaults.required_tools !== undefined) {
    item.required_tools = [...defaults.required_tools];
  }
  if (item.skills.length === 0 && defaults.skills !== undefined) item.skills = [...defaults.skills];
}
