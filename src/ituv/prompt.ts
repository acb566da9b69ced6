// The enriched IMPLEMENT prompt (DESIGN §5): everything a coding agent needs about one task and
// nothing about the others. A blueprint may hold thousands of items, so only the task's own lines,
// its recipe and its upstream summaries go in, and the whole prompt is held to a character budget.
import { stringify } from 'yaml';
import type { Blueprint, BlueprintItem, Recipe, RecipeStep, Section } from '../blueprint/model.js';
import type { Task } from '../project/model.js';

export interface PromptUpstream {
  task: Task;
  policy: string;
}

export interface PromptInput {
  task: Task;
  blueprint: Blueprint | null;
  upstream: PromptUpstream[];
  recipe: Recipe | null;
  /** Failure summaries of earlier phases, newest last. */
  failures: string[];
  /** Feedback a human injected, oldest first. */
  feedback: string[];
  /** 1-based IMPLEMENT iteration. */
  iteration: number;
  /** Total budget in characters; overview/context are trimmed first, criteria never. */
  maxChars?: number;
}

export const DEFAULT_PROMPT_MAX_CHARS = 24_000;

// Internal markers let the engine find feedback/failure blocks again; UIs strip them before display.
type MarkerName = 'feedback' | 'failures';
const openMarker = (name: MarkerName): string => `<!-- penguin:${name} -->`;
const closeMarker = (name: MarkerName): string => `<!-- /penguin:${name} -->`;
const MARKER_LINE = /^[ \t]*<!-- \/?penguin:[a-z_-]+ -->[ \t]*(?:\r?\n|$)/gm;
const MARKER_INLINE = /<!-- \/?penguin:[a-z_-]+ -->/g;
// Marker-shaped text inside content (a test message, a blueprint) must not open or close a block.
const MARKER_LOOKALIKE = /<!--(\s*\/?\s*penguin:)/gi;

/** Removes Penguin's internal markers (and only them) so a prompt can be shown to a person. */
export function stripInternalMarkers(text: string): string {
  return text.replace(MARKER_LINE, '').replace(MARKER_INLINE, '');
}

/** Builds the IMPLEMENT prompt. Deterministic: the same input gives the same text. */
export function buildPrompt(input: PromptInput): string {
  const maxChars = input.maxChars ?? DEFAULT_PROMPT_MAX_CHARS;
  const parts = buildParts(input);
  // Trimming order: least task-specific first; older failures go early, the newest one late.
  // Criteria, header and closing are never trimmed.
  const trimOrder: [string, boolean][] = [
    ['context', false],
    ['dependencies', false],
    ['failures', true],
    ['recipe', false],
    ['section', false],
    ['description', false],
    ['failures', false],
    ['feedback', false],
  ];
  for (const [id, gentle] of trimOrder) {
    const excess = totalLength(parts) - maxChars;
    if (excess <= 0) break;
    const part = parts.find((p) => p.id === id);
    if (!part?.shrink || part.text.length === 0) continue;
    part.text = part.shrink(Math.max(0, part.text.length - excess), gentle);
  }
  return joinParts(parts);
}

// ---- parts --------------------------------------------------------------------------------------

interface Part {
  id: string;
  text: string;
  /**
   * Returns a rendering no longer than `maxLength` ('' drops the part). A `gentle` shrink may stop
   * short of the limit to keep the essential rest (the newest failure) for a later pass.
   */
  shrink?: (maxLength: number, gentle: boolean) => string;
}

const PART_SEPARATOR = '\n\n';

function totalLength(parts: readonly Part[]): number {
  const present = parts.filter((p) => p.text.length > 0);
  return (
    present.reduce((sum, p) => sum + p.text.length, 0) + PART_SEPARATOR.length * (present.length - 1) + 1
  );
}

function joinParts(parts: readonly Part[]): string {
  return (
    parts
      .map((p) => p.text)
      .filter((t) => t.length > 0)
      .join(PART_SEPARATOR) + '\n'
  );
}

function buildParts(input: PromptInput): Part[] {
  const { task } = input;
  const item = input.blueprint?.items.find((i) => i.id === task.blueprint_id) ?? null;
  const parts: Part[] = [
    { id: 'header', text: renderHeader(input) },
    blockPart('description', '## Description', clean(task.description ?? '')),
    { id: 'criteria', text: renderCriteria(task) },
  ];
  if (input.blueprint) {
    const section = taskSectionText(input.blueprint, task, item);
    if (section)
      parts.push(
        blockPart('section', `## Blueprint section for ${task.blueprint_id}`, section.body, section.lang),
      );
  }
  if (task.tests.length > 0) {
    parts.push({
      id: 'tests',
      text: `## Tests to make pass\n${task.tests.map((t) => `- ${clean(t)}`).join('\n')}`,
    });
  }
  if (input.recipe) {
    const heading =
      `## Usage recipe: ${clean(input.recipe.name)}\n` +
      'After the tests, Penguin runs this recipe against the real program (USE phase); it must pass.';
    parts.push(blockPart('recipe', heading, recipeYaml(input.recipe), 'yaml'));
  }
  if (input.upstream.length > 0) parts.push(dependenciesPart(input.upstream));
  if (input.blueprint) {
    const context = contextText(input.blueprint);
    if (context) parts.push(blockPart('context', '## Project context (from the blueprint)', context));
  }
  if (input.iteration > 1 && input.failures.length > 0) {
    parts.push(
      listPart(
        'failures',
        `## Previous attempt failed (this is iteration ${input.iteration})\n` +
          'Fix these problems first; the newest is last.',
        'failures',
        input.failures,
      ),
    );
  }
  if (input.feedback.length > 0) {
    parts.push(
      listPart('feedback', '## Feedback from a human\nFollow this feedback.', 'feedback', input.feedback),
    );
  }
  parts.push({ id: 'closing', text: renderClosing(task) });
  return parts;
}

function renderHeader(input: PromptInput): string {
  const { task, blueprint } = input;
  const lines = [`# Task ${task.blueprint_id}: ${clean(task.title)}`, ''];
  lines.push(`- Priority: ${task.priority ?? 'none'}`);
  if (blueprint) {
    const title = blueprint.title ?? blueprint.project_key;
    lines.push(`- Blueprint: ${clean(title)} (${blueprint.file})`);
  }
  if (task.parent_id) lines.push(`- Subtask of: ${task.parent_id}`);
  if (task.skills.length > 0) lines.push(`- Skills: ${task.skills.join(', ')}`);
  lines.push(`- Iteration: ${input.iteration}`);
  lines.push(
    '',
    'Implement this task in the current workspace. Penguin then runs the selected tests, the usage recipe ' +
      'and a verification gate that checks every acceptance criterion against recorded evidence.',
  );
  return lines.join('\n');
}

function renderCriteria(task: Task): string {
  if (task.acceptance_criteria.length === 0) {
    return '## Acceptance criteria\nThis task lists no acceptance criteria; the selected tests and the recipe must pass.';
  }
  const id = task.blueprint_id;
  return [
    '## Acceptance criteria',
    `Every criterion must be met. Name each test after the criterion it checks, \`${id} AC<n> ...\` ` +
      `(e.g. \`${id} AC1 ...\`), so that the verification gate can map it.`,
    '',
    ...task.acceptance_criteria.map((c, i) => `AC${i + 1}. ${clean(c)}`),
  ].join('\n');
}

function renderClosing(task: Task): string {
  return [
    '## When you finish',
    `Leave the workspace with the implementation and its tests in place. If you can write to the file in ` +
      '`$PENGUIN_RESULT_FILE`, write JSON `{"status": "done" | "partial" | "blocked" | "needs_input", ' +
      `"summary": "...", "question": "..."}\` describing the outcome for ${task.blueprint_id}.`,
  ].join('\n');
}

function dependenciesPart(upstream: readonly PromptUpstream[]): Part {
  const sorted = [...upstream].sort((a, b) => compare(a.task.blueprint_id, b.task.blueprint_id));
  const heading = '## Dependencies (upstream tasks)';
  const line = (u: PromptUpstream): string => {
    const n = u.task.acceptance_criteria.length;
    return (
      `- ${u.task.blueprint_id} ${clean(u.task.title)} — status ${u.task.status}, phase ${u.task.phase}, ` +
      `${n} acceptance ${n === 1 ? 'criterion' : 'criteria'}, policy ${u.policy}`
    );
  };
  const render = (count: number): string => {
    const lines = sorted.slice(0, count).map(line);
    if (count < sorted.length) lines.push(`- … and ${sorted.length - count} more`);
    return [heading, ...lines].join('\n');
  };
  return {
    id: 'dependencies',
    text: render(sorted.length),
    shrink: (maxLength) => {
      for (let count = sorted.length - 1; count >= 0; count--) {
        const text = render(count);
        if (text.length <= maxLength) return text;
      }
      return '';
    },
  };
}

/** A heading plus a body (fenced when `lang` is given) that shrinks by cutting the body's tail. */
function blockPart(id: string, heading: string, body: string, lang?: string): Part {
  const render = (b: string): string =>
    lang === undefined ? `${heading}\n${b}` : `${heading}\n${fence(b, lang)}`;
  if (body.trim().length === 0) return { id, text: '' };
  return {
    id,
    text: render(body),
    shrink: (maxLength) => {
      const overhead = render('').length + TRIM_NOTE_RESERVE;
      if (maxLength < overhead + 80) return '';
      return render(truncateLines(body, maxLength - overhead));
    },
  };
}

/** A list wrapped in internal markers; shrinking drops the oldest entries first. */
function listPart(id: string, heading: string, marker: MarkerName, entries: readonly string[]): Part {
  const render = (items: readonly string[]): string =>
    [
      heading,
      openMarker(marker),
      ...items.map((e) => `- ${indentContinuation(clean(e))}`),
      closeMarker(marker),
    ].join('\n');
  return {
    id,
    text: render(entries),
    shrink: (maxLength, gentle) => {
      for (let keep = entries.length - 1; keep >= 1; keep--) {
        const text = render(entries.slice(entries.length - keep));
        if (text.length <= maxLength || (gentle && keep === 1)) return text;
      }
      if (gentle) return render(entries);
      const newest = entries[entries.length - 1] ?? '';
      const overhead = render(['']).length + TRIM_NOTE_RESERVE;
      if (maxLength < overhead + 80) return '';
      return render([truncateLines(newest, maxLength - overhead)]);
    },
  };
}

// ---- text helpers -------------------------------------------------------------------------------

const TRIM_NOTE_RESERVE = 60;

/** Cuts `text` at a line boundary to at most `maxLength` characters, with a note saying so. */
function truncateLines(text: string, maxLength: number): string {
  if (text.length <= maxLength) return text;
  const cut = text.slice(0, maxLength);
  const lastNewline = cut.lastIndexOf('\n');
  const kept = lastNewline > maxLength / 2 ? cut.slice(0, lastNewline) : cut;
  return `${kept}\n[… ${text.length - kept.length} characters trimmed to fit the prompt budget]`;
}

function indentContinuation(text: string): string {
  return text.replace(/\n/g, '\n  ');
}

/** A fence longer than any backtick run inside `body`, so quoted markdown cannot close it. */
function fence(body: string, lang: string): string {
  const longest = Math.max(0, ...[...body.matchAll(/`+/g)].map((m) => m[0].length));
  const ticks = '`'.repeat(Math.max(3, longest + 1));
  return `${ticks}${lang}\n${body}\n${ticks}`;
}

/** Neutralises marker look-alikes in untrusted text and trims trailing blanks. */
function clean(text: string): string {
  return text.replace(MARKER_LOOKALIKE, '&lt;!--$1').replace(/\s+$/, '');
}

function stripHtmlComments(text: string): string {
  return text.replace(/<!--[\s\S]*?-->/g, '');
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---- blueprint extraction -----------------------------------------------------------------------

const CONTEXT_FIRST = ['overview', 'goals', 'non-goals', 'context'];
const NOT_CONTEXT = new Set(['tasks', 'usage recipes', 'validation', 'risks / open questions']);

/** Overview, Goals, Non-Goals and Context first, then other free-form sections in document order. */
function contextText(blueprint: Blueprint): string {
  const wanted = blueprint.sections.filter((s) => !NOT_CONTEXT.has(s.name.trim().toLowerCase()));
  const rank = (s: Section): number => {
    const i = CONTEXT_FIRST.indexOf(s.name.trim().toLowerCase());
    return i === -1 ? CONTEXT_FIRST.length : i;
  };
  const ordered = wanted
    .map((s, i) => ({ s, i }))
    .sort((a, b) => rank(a.s) - rank(b.s) || a.i - b.i)
    .map(({ s }) => s);
  const blocks: string[] = [];
  for (const section of ordered) {
    const body = clean(stripHtmlComments(sectionBody(section).lines.join('\n')).trim());
    if (body.length > 0) blocks.push(`### ${clean(section.name)}\n${body}`);
  }
  return blocks.join('\n\n');
}

/** The section's lines without its heading, and the absolute file line of the first one. */
function sectionBody(section: Section): { lines: string[]; firstLine: number } {
  const lines = section.text.split(/\r?\n/);
  if (lines.length > 0 && /^##\s/.test(lines[0] ?? ''))
    return { lines: lines.slice(1), firstLine: section.line + 1 };
  return { lines, firstLine: section.line + 1 };
}

const indentOf = (line: string): number => /^[ \t]*/.exec(line)?.[0].length ?? 0;

/**
 * The task's own lines of the blueprint (its checklist line, attribute bullets and subtasks), cut
 * from the source by line range. YAML/JSON blueprints have no such text: the item is dumped instead.
 */
function taskSectionText(
  blueprint: Blueprint,
  task: Task,
  item: BlueprintItem | null,
): { body: string; lang: string } | null {
  const itemLine = item?.line ?? task.source_line;
  if (blueprint.format === 'markdown' && itemLine !== null) {
    const section = blueprint.sections.find((s) => s.line <= itemLine && itemLine <= s.endLine);
    if (section) {
      const lines = markdownItemLines(section, itemLine, task.blueprint_id);
      if (lines) return { body: clean(stripHtmlComments(lines.join('\n'))), lang: 'markdown' };
    }
  }
  if (!item) return null;
  return { body: clean(itemYaml(blueprint, item)), lang: 'yaml' };
}

function markdownItemLines(section: Section, itemLine: number, id: string): string[] | null {
  const { lines, firstLine } = sectionBody(section);
  let start = itemLine - firstLine;
  // Trust the line number, but check it: fall back to finding the item's checklist line by its id.
  if (!(lines[start] ?? '').includes(id)) {
    const escaped = id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const pattern = new RegExp(`^\\s*[-*+]\\s+\\[[ xX]\\]\\s+<?${escaped}>?(?:\\s|$)`);
    start = lines.findIndex((l) => pattern.test(l));
    if (start === -1) return null;
  }
  const first = lines[start] ?? '';
  const indent = indentOf(first);
  const out = [first];
  for (let i = start + 1; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.trim().length > 0 && indentOf(line) <= indent) break;
    out.push(line);
  }
  while (out.length > 1 && (out[out.length - 1] ?? '').trim() === '') out.pop();
  return out;
}

/** The item and its subtasks (recursively) as YAML, for blueprints without markdown source. */
function itemYaml(blueprint: Blueprint, item: BlueprintItem): string {
  const children = new Map<string, BlueprintItem[]>();
  for (const i of blueprint.items) {
    if (i.parent_id === null) continue;
    const list = children.get(i.parent_id) ?? [];
    list.push(i);
    children.set(i.parent_id, list);
  }
  const seen = new Set<string>();
  const toObject = (i: BlueprintItem): Record<string, unknown> => {
    seen.add(i.id);
    const subtasks = (children.get(i.id) ?? []).filter((c) => !seen.has(c.id)).map(toObject);
    const { id, title, line: _line, order: _order, checked, ...fields } = i;
    return compact({ id, title, ...fields, ...(checked ? { checked } : {}), subtasks });
  };
  return stringify([toObject(item)], { lineWidth: 0 }).trimEnd();
}

function recipeYaml(recipe: Recipe): string {
  const step = (s: RecipeStep): Record<string, unknown> => {
    const { kind, run, line: _line, ...rest } = s;
    return compact({ [kind]: run, ...rest });
  };
  const object = compact({
    recipe: recipe.name,
    description: recipe.description,
    service: recipe.service,
    env: recipe.env,
    timeout_sec: recipe.timeout_sec,
    steps: recipe.steps.map(step),
    artifacts: recipe.artifacts,
  });
  return stringify(object, { lineWidth: 0 }).trimEnd();
}

/** Drops absent values (null, undefined), empty lists and empty objects, to keep dumps short. */
function compact(object: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(object)) {
    if (value === null || value === undefined) continue;
    if (Array.isArray(value) && value.length === 0) continue;
    if (typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0) continue;
    out[key] = value;
  }
  return out;
}
