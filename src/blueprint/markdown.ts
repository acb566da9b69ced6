// Markdown blueprint -> Blueprint (DESIGN §3). The block structure comes from the outline (mdast, or
// the equivalent fast scanner for plain documents); exact text (metadata braces, YAML blocks) is
// read from the raw source lines by line number, so every position is the file's absolute line.
import type {
  Blueprint,
  BlueprintItem,
  Diagnostic,
  Frontmatter,
  Recipe,
  Section,
  ValidationItem,
} from './model.js';
import {
  BAD_FRONTMATTER,
  BAD_METADATA_VALUE,
  BAD_YAML_BLOCK,
  INCOMPLETE_SPEC,
  NESTING_TOO_DEEP,
  TASK_WITHOUT_ID,
  UNCLOSED_FRONTMATTER,
  UNKNOWN_KEY,
} from './codes.js';
import { addDependency, addSpecs, unwrapId, type RawSpec, type Report } from './dependencies.js';
import { emptyItem } from './empty.js';
import { applyDefaults, validateFrontmatter } from './frontmatter.js';
import { parseLineMetadata } from './metadata.js';
import { IDENT, projectKeyFor } from './naming.js';
import {
  buildOutline,
  MAX_NESTING,
  nestingDepth,
  tooDeepLines,
  type Outline,
  type OutlineItem,
} from './outline.js';
import { parseRecipesYaml } from './recipes.js';
import { parseYamlWithLines, type Locate } from './yaml-lines.js';

export interface MarkdownOptions {
  /** 'mdast' forces the reference parser (tests compare it with the fast path). */
  engine?: 'auto' | 'mdast';
}

const LIST_MARKER = /^\s*(?:[-*+]|\d{1,9}[.)])(?:\s+|$)/;
const TASK_BOX = /^\[[ xX]\]\s*/;
const ATTRIBUTE = /^([A-Za-z][A-Za-z _-]*?)\s*:\s*(.*)$/;
/** The opening line of a YAML code fence: indent, fence, info string. */
const YAML_FENCE = /^( {0,3})(`{3,}|~{3,})[ \t]*(?:yaml|yml)(?:[ \t].*)?$/i;
/** A line outside the fences that looks like the start of a recipe. */
const RECIPE_START = /^\s*-\s+(?:recipe|name)\s*:/;

type SectionKind = 'tasks' | 'recipes' | 'validation' | 'other';

function sectionKind(name: string): SectionKind {
  const lower = name.toLowerCase();
  if (lower === 'tasks') return 'tasks';
  if (lower === 'usage recipes') return 'recipes';
  if (lower === 'validation') return 'validation';
  return 'other';
}

/** `Tasks (MVP)` -> `Tasks`: a trailing parenthetical is not part of a section's name. */
function sectionName(heading: string): string {
  return heading.replace(/\s*\([^()]*\)\s*$/, '').trim() || heading;
}

/** A part of the document with a meaning: its heading line and last line. */
interface Region {
  kind: Exclude<SectionKind, 'other'>;
  line: number;
  endLine: number;
}

/** Parse a markdown blueprint. Never throws: every problem is a diagnostic. */
export function parseMarkdownBlueprint(text: string, file: string, options: MarkdownOptions = {}): Blueprint {
  const parser = new MarkdownParser(text, file);
  return parser.parse(options.engine ?? 'auto');
}

interface PendingSpecs {
  value: unknown;
  line: number;
  locate: Locate;
}

class MarkdownParser {
  private readonly lines: string[];
  private readonly diagnostics: Diagnostic[] = [];
  private readonly items: BlueprintItem[] = [];
  private readonly report: Report;

  constructor(
    text: string,
    private readonly file: string,
  ) {
    this.lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
    this.report = (code, severity, message, line) => this.diag(code, severity, message, line);
  }

  private diag(
    code: string,
    severity: Diagnostic['severity'],
    message: string,
    line: number,
    column?: number,
  ): void {
    const diagnostic: Diagnostic = { code, severity, message, file: this.file, line };
    if (column !== undefined) diagnostic.column = column;
    this.diagnostics.push(diagnostic);
  }

  parse(engine: 'auto' | 'mdast'): Blueprint {
    const frontmatter = this.readFrontmatter();
    this.dropTooDeepLines();
    const outline = buildOutline(this.lines, engine);

    // Sections: every `##` heading up to the next heading of depth 1 or 2.
    const bounds = outline.headings.filter((h) => h.depth <= 2);
    const sections: Section[] = [];
    bounds.forEach((heading, index) => {
      if (heading.depth !== 2) return;
      const end = this.lastContentLine(heading.line, (bounds[index + 1]?.line ?? this.lines.length + 1) - 1);
      sections.push({
        name: sectionName(heading.text),
        heading: heading.text,
        line: heading.line,
        endLine: end,
        text: this.lines.slice(heading.line, end).join('\n'),
      });
    });
    const regions = this.regions(outline, sections);

    // Route root list items to the innermost region holding them (both lists are in document order;
    // regions are nested or disjoint, so a stack of the open ones finds it in one pass).
    const validation: ValidationItem[] = [];
    const open: Region[] = [];
    let next = 0;
    for (const item of outline.items) {
      while (next < regions.length && regions[next]!.line < item.line) open.push(regions[next++]!);
      while (open.length > 0 && open[open.length - 1]!.endLine < item.line) open.pop();
      const region = open[open.length - 1];
      if (region === undefined || item.checked === null) continue;
      if (region.kind === 'tasks') this.readTask(item, null);
      else if (region.kind === 'validation') {
        validation.push({ text: this.itemText(item).text, checked: item.checked, line: item.line });
      }
    }

    const recipes: Recipe[] = [];
    for (const region of regions) {
      if (region.kind === 'recipes') recipes.push(...this.readRecipes(region, outline.ignored));
    }

    this.applyAgentDefaults(frontmatter);
    const title =
      typeof frontmatter.title === 'string'
        ? frontmatter.title
        : (outline.headings.find((h) => h.depth === 1)?.text ?? null);
    return {
      file: this.file,
      format: 'markdown',
      project_key: projectKeyFor(frontmatter.project_key, title, this.file),
      title,
      frontmatter,
      sections,
      items: this.items,
      recipes,
      validation,
      diagnostics: this.diagnostics.sort((a, b) => a.line - b.line || (a.column ?? 0) - (b.column ?? 0)),
    };
  }

  /** `end`, moved up past trailing blank lines (never above `start`). */
  private lastContentLine(start: number, end: number): number {
    let last = end;
    while (last > start && (this.lines[last - 1] ?? '').trim() === '') last--;
    return last;
  }

  /**
   * The Tasks, Usage Recipes and Validation regions: the `##` sections of those names, and for a name
   * with no `##` section, the first heading of any level with that name (`### Tasks`), up to the
   * next heading of the same or a higher level.
   */
  private regions(outline: Outline, sections: readonly Section[]): Region[] {
    const regions: Region[] = [];
    for (const section of sections) {
      const kind = sectionKind(section.name);
      if (kind !== 'other') regions.push({ kind, line: section.line, endLine: section.endLine });
    }
    for (const kind of ['tasks', 'recipes', 'validation'] as const) {
      if (regions.some((r) => r.kind === kind)) continue;
      const index = outline.headings.findIndex((h) => sectionKind(sectionName(h.text)) === kind);
      if (index < 0) continue;
      const heading = outline.headings[index]!;
      const after = outline.headings.slice(index + 1).find((h) => h.depth <= heading.depth);
      const end = this.lastContentLine(heading.line, (after?.line ?? this.lines.length + 1) - 1);
      regions.push({ kind, line: heading.line, endLine: end });
    }
    return regions.sort((a, b) => a.line - b.line);
  }

  /**
   * Reads and blanks the frontmatter so the markdown parser never sees it and lines stay absolute.
   * Blank lines before the opening `---` are allowed (the Python parser strips them too): without
   * that, a stray empty first line would turn the frontmatter into a rule and silently change the
   * project key.
   */
  private readFrontmatter(): Frontmatter {
    let open = 0;
    while (open < this.lines.length && this.lines[open]!.trim() === '') open++;
    if (this.lines[open]?.trimEnd() !== '---') return {};
    let close = -1;
    for (let i = open + 1; i < this.lines.length; i++) {
      if (this.lines[i]!.trimEnd() === '---') {
        close = i;
        break;
      }
    }
    if (close < 0) {
      this.diag(
        UNCLOSED_FRONTMATTER,
        'error',
        `frontmatter opened with "---" on line ${open + 1} is never closed (add a "---" line after it)`,
        open + 1,
      );
      this.lines[open] = '';
      return {};
    }
    const yamlText = this.lines.slice(open + 1, close).join('\n');
    for (let i = open; i <= close; i++) this.lines[i] = '';
    const parsed = parseYamlWithLines(yamlText, open + 2);
    if (parsed.errors.length > 0) {
      for (const error of parsed.errors) {
        this.diag(
          BAD_FRONTMATTER,
          'error',
          `frontmatter is not valid YAML: ${error.message}`,
          error.line,
          error.column,
        );
      }
      return {};
    }
    if (parsed.value === null || parsed.value === undefined) return {};
    if (typeof parsed.value !== 'object' || Array.isArray(parsed.value)) {
      this.diag(BAD_FRONTMATTER, 'error', 'frontmatter must be a YAML mapping of key: value', open + 2);
      return {};
    }
    return validateFrontmatter(
      parsed.value as Record<string, unknown>,
      parsed.locate,
      this.file,
      BAD_FRONTMATTER,
      this.diagnostics,
      'frontmatter',
    );
  }

  /** Refuses (and blanks) lines nested too deep for mdast, before it sees them. */
  private dropTooDeepLines(): void {
    const deep = tooDeepLines(this.lines);
    const first = deep[0];
    if (first === undefined) return;
    const more = deep.length > 1 ? `; ${deep.length - 1} more line(s) like it are skipped too` : '';
    this.diag(
      NESTING_TOO_DEEP,
      'error',
      `line ${first} nests about ${nestingDepth(this.lines[first - 1]!)} block quotes or lists deep; blueprints may nest at most ${MAX_NESTING} (the line is skipped${more})`,
      first,
    );
    for (const line of deep) this.lines[line - 1] = '';
  }

  /** The item's first-paragraph text without marker and checkbox; continuation lines are trimmed. */
  private itemText(item: OutlineItem): { text: string; continuation: string[] } {
    const first = (this.lines[item.line - 1] ?? '').replace(LIST_MARKER, '');
    const text = item.checked === null ? first : first.replace(TASK_BOX, '');
    const continuation: string[] = [];
    for (let n = item.line + 1; n <= item.textEndLine; n++)
      continuation.push((this.lines[n - 1] ?? '').trim());
    return { text: [text.trim(), ...continuation].join(' ').trim(), continuation };
  }

  private readTask(node: OutlineItem, parentId: string | null): void {
    // Metadata sits at the end of the task's (possibly wrapped) text: parse the last text line raw so
    // columns are the file's columns.
    const metaLine = node.textEndLine;
    const meta = parseLineMetadata(this.lines[metaLine - 1] ?? '');
    for (const issue of meta.issues)
      this.diag(issue.code, issue.severity, issue.message, metaLine, issue.column);

    const raw = [];
    for (let n = node.line; n <= node.textEndLine; n++) {
      let lineText = n === metaLine ? meta.text : (this.lines[n - 1] ?? '');
      if (n === node.line) lineText = lineText.replace(LIST_MARKER, '').replace(TASK_BOX, '');
      raw.push(lineText.trim());
    }
    const text = raw.join(' ').trim();
    const firstWord = /^\S+/.exec(text)?.[0] ?? '';
    // `KEY-1:` and `<KEY-1>:` are the ident followed by a colon, as people write "ID: title".
    const ident = unwrapId(firstWord.endsWith(':') ? firstWord.slice(0, -1) : firstWord);

    let id: string | undefined;
    let title = text;
    if (IDENT.test(ident)) {
      id = ident;
      title = text.slice(firstWord.length).trim();
      if (meta.fields.id !== undefined && meta.fields.id !== ident) {
        this.diag(
          BAD_METADATA_VALUE,
          'error',
          `metadata id="${meta.fields.id}" conflicts with the task's ident ${ident}`,
          metaLine,
          meta.column ?? undefined,
        );
      }
    } else {
      id = meta.fields.id;
    }

    if (id === undefined) {
      this.diag(
        TASK_WITHOUT_ID,
        'error',
        `task has no id: "${text}" (start it with an ident like KEY-1 or add {id=...})`,
        node.line,
      );
      // Its subtasks are still tasks; they just have no parent.
      for (const child of node.children) if (child.checked !== null) this.readTask(child, null);
      return;
    }

    const { id: _id, ...fields } = meta.fields;
    const item: BlueprintItem = {
      ...emptyItem(id, title, node.line, this.items.length),
      parent_id: parentId,
      checked: node.checked === true,
      depends_lines: {},
      ...fields,
    };
    this.items.push(item);

    const specs: PendingSpecs[] = [];
    const subtasks: OutlineItem[] = [];
    for (const child of node.children) {
      if (child.checked !== null) subtasks.push(child);
      else this.readAttribute(item, child, specs);
    }
    this.checkSpecs(item, specs);
    for (const child of subtasks) this.readTask(child, id);
  }

  private readAttribute(item: BlueprintItem, node: OutlineItem, specs: PendingSpecs[]): void {
    const { text } = this.itemText(node);
    const firstText = (this.lines[node.line - 1] ?? '').replace(LIST_MARKER, '').trim();
    const match = ATTRIBUTE.exec(firstText);
    if (!match) {
      this.diag(
        UNKNOWN_KEY,
        'warning',
        `bullet under task ${item.id} is not an attribute (Key: value) and is ignored: "${text}"`,
        node.line,
      );
      return;
    }
    const key = match[1]!.toLowerCase().replace(/[\s_-]+/g, ' ');
    const inlineValue = match[2]!.trim();
    const fullValue = text.slice(text.indexOf(':') + 1).trim();
    const nested = node.children.map((child) => ({ text: this.itemText(child).text, line: child.line }));

    switch (key) {
      case 'acceptance':
      case 'acceptance criteria':
        if (fullValue !== '') item.acceptance_criteria.push(fullValue);
        for (const child of nested) if (child.text !== '') item.acceptance_criteria.push(child.text);
        return;
      case 'depends':
      case 'depends on':
      case 'dependencies':
        this.addDependencies(item, fullValue, node.line);
        for (const child of nested) this.addDependencies(item, child.text, child.line);
        return;
      case 'dependency specs': {
        // Raw YAML: the inline value, or the lines under the bullet (dedented).
        const firstLine = inlineValue !== '' ? node.line : node.line + 1;
        const body =
          inlineValue !== ''
            ? [inlineValue]
            : this.lines.slice(node.line, node.endLine).map((line) => line.trimEnd());
        const indent = Math.min(
          ...body.filter((l) => l.trim() !== '').map((l) => l.length - l.trimStart().length),
        );
        const dedent = Number.isFinite(indent) ? indent : 0;
        const yamlText = body.map((l) => l.slice(dedent)).join('\n');
        const column = inlineValue !== '' ? (this.lines[node.line - 1] ?? '').indexOf(inlineValue) : dedent;
        const parsed = parseYamlWithLines(yamlText, firstLine, column);
        if (parsed.errors.length > 0) {
          for (const error of parsed.errors) {
            this.diag(
              BAD_YAML_BLOCK,
              'error',
              `Dependency Specs of ${item.id} is not valid YAML: ${error.message}`,
              error.line,
              error.column,
            );
          }
          return;
        }
        specs.push({ value: parsed.value, line: node.line, locate: parsed.locate });
        return;
      }
      case 'recipe':
        if (fullValue !== '') item.recipe = fullValue;
        return;
      case 'description': {
        const lines = [inlineValue];
        for (let n = node.line + 1; n <= node.textEndLine; n++) lines.push((this.lines[n - 1] ?? '').trim());
        const description = lines.join('\n').trim();
        if (description !== '') item.description = description;
        return;
      }
      case 'tests':
        for (const part of [fullValue, ...nested.map((c) => c.text)]) {
          for (const test of part.split(',')) if (test.trim() !== '') item.tests.push(test.trim());
        }
        return;
      default:
        this.diag(
          UNKNOWN_KEY,
          'warning',
          `unknown attribute "${match[1]}" under task ${item.id} is ignored`,
          node.line,
        );
    }
  }

  private addDependencies(item: BlueprintItem, list: string, line: number): void {
    for (const part of list.split(',')) {
      if (part.trim() === '') continue;
      addDependency(item, part, line, this.report, `dependency of ${item.id}`);
    }
  }

  /** Specs are checked after all attributes, so Depends may come before or after them. */
  private checkSpecs(item: BlueprintItem, pending: PendingSpecs[]): void {
    const specs: RawSpec[] = [];
    for (const { value, line, locate } of pending) {
      if (value === null || value === undefined) continue;
      if (!Array.isArray(value)) {
        this.diag(
          INCOMPLETE_SPEC,
          'error',
          `Dependency Specs of ${item.id} must be a YAML list of "- task_id: ..." entries`,
          line,
        );
        continue;
      }
      value.forEach((entry: unknown, index) => {
        specs.push({
          value: entry,
          line: locate([index]),
          lineOf: (key) => locate([index, key]),
          label: `dependency spec #${specs.length + 1} of ${item.id}`,
        });
      });
    }
    addSpecs(item, specs, { requireDepends: true }, this.report);
  }

  /**
   * The recipes of a Usage Recipes region: the YAML in its ```` ```yaml ```` fences when it has any,
   * else its body. Comments and other fences are never part of the YAML.
   */
  private readRecipes(region: Region, ignored: Outline['ignored']): Recipe[] {
    const first = region.line + 1;
    const body = this.lines.slice(region.line, region.endLine);
    const fences: Array<{ from: number; to: number; indent: number }> = [];
    for (const [start, end] of ignored) {
      if (end < first || start > region.endLine) continue;
      const open = YAML_FENCE.exec(this.lines[start - 1] ?? '');
      if (open) {
        const closing = (this.lines[end - 1] ?? '').trim();
        const closed = end > start && closing[0] === open[2]![0] && /^(`{3,}|~{3,})$/.test(closing);
        fences.push({ from: start + 1, to: closed ? end - 1 : end, indent: open[1]!.length });
      }
      for (let n = Math.max(start, first); n <= Math.min(end, region.endLine); n++) body[n - first] = '';
    }
    if (fences.length === 0) return parseRecipesYaml(body.join('\n'), first, this.file, this.diagnostics);

    const recipes: Recipe[] = [];
    for (const fence of fences) {
      const text = this.lines
        .slice(fence.from - 1, fence.to)
        .map((line) => line.replace(new RegExp(`^ {0,${fence.indent}}`), ''))
        .join('\n');
      recipes.push(...parseRecipesYaml(text, fence.from, this.file, this.diagnostics, fence.indent));
    }
    // With fences, text outside them is prose; a recipe written there would be lost without a word.
    const stray = body.findIndex((line) => RECIPE_START.test(line));
    if (stray >= 0) {
      this.diag(
        UNKNOWN_KEY,
        'warning',
        'a recipe outside the ```yaml fences of Usage Recipes is ignored (put every recipe in a fence, or none)',
        first + stray,
      );
    }
    return recipes;
  }

  private applyAgentDefaults(frontmatter: Frontmatter): void {
    const defaults = frontmatter.agent_defaults;
    if (defaults === undefined) return;
    for (const item of this.items) applyDefaults(item, defaults);
  }
}
