// Markdown blueprint -> Blueprint (DESIGN §3). The block structure comes from the outline (mdast, or
// the equivalent fast scanner for plain documents); exact text (metadata braces, YAML blocks) is
// read from the raw source lines by line number, so every position is the file's absolute line.
import {
  DEPENDENCY_POLICIES,
  type Blueprint,
  type BlueprintItem,
  type DependencyPolicy,
  type DependencySpec,
  type Diagnostic,
  type Frontmatter,
  type Recipe,
  type Section,
  type ValidationItem,
} from './model.js';
import {
  BAD_DEPENDENCY_REF,
  BAD_FRONTMATTER,
  BAD_METADATA_VALUE,
  BAD_POLICY,
  BAD_YAML_BLOCK,
  SPEC_NOT_IN_DEPENDS,
  TASK_WITHOUT_ID,
  UNCLOSED_FRONTMATTER,
  UNKNOWN_KEY,
} from './codes.js';
import { emptyItem } from './empty.js';
import { applyDefaults, validateFrontmatter } from './frontmatter.js';
import { parseLineMetadata } from './metadata.js';
import { IDENT, LOOSE_ID, projectKeyFor } from './naming.js';
import { buildOutline, type OutlineItem } from './outline.js';
import { parseRecipesYaml } from './recipes.js';
import { parseYamlWithLines } from './yaml-lines.js';

export interface MarkdownOptions {
  /** 'mdast' forces the reference parser (tests compare it with the fast path). */
  engine?: 'auto' | 'mdast';
}

const LIST_MARKER = /^\s*(?:[-*+]|\d{1,9}[.)])(?:\s+|$)/;
const TASK_BOX = /^\[[ xX]\]\s*/;
const ATTRIBUTE = /^([A-Za-z][A-Za-z _-]*?)\s*:\s*(.*)$/;

type SectionKind = 'tasks' | 'recipes' | 'validation' | 'other';

function sectionKind(name: string): SectionKind {
  const lower = name.toLowerCase();
  if (lower === 'tasks') return 'tasks';
  if (lower === 'usage recipes') return 'recipes';
  if (lower === 'validation') return 'validation';
  return 'other';
}

/** Parse a markdown blueprint. Never throws: every problem is a diagnostic. */
export function parseMarkdownBlueprint(text: string, file: string, options: MarkdownOptions = {}): Blueprint {
  const parser = new MarkdownParser(text, file);
  return parser.parse(options.engine ?? 'auto');
}

interface PendingSpec {
  value: unknown;
  locate: (path: readonly (string | number)[]) => number;
}

class MarkdownParser {
  private readonly lines: string[];
  private readonly diagnostics: Diagnostic[] = [];
  private readonly items: BlueprintItem[] = [];

  constructor(
    text: string,
    private readonly file: string,
  ) {
    this.lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
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
    const outline = buildOutline(this.lines, engine);

    // Sections: every root `##` heading up to the next heading of depth 1 or 2.
    const bounds = outline.headings.filter((h) => h.depth <= 2);
    const sections: Section[] = [];
    const kinds: SectionKind[] = [];
    bounds.forEach((heading, index) => {
      if (heading.depth !== 2) return;
      let end = (bounds[index + 1]?.line ?? this.lines.length + 1) - 1;
      while (end > heading.line && (this.lines[end - 1] ?? '').trim() === '') end--;
      const name = heading.text.replace(/\s*\([^()]*\)\s*$/, '').trim() || heading.text;
      sections.push({
        name,
        heading: heading.text,
        line: heading.line,
        endLine: end,
        text: this.lines.slice(heading.line, end).join('\n'),
      });
      kinds.push(sectionKind(name));
    });

    // Route root list items to their section (both lists are in document order).
    const validation: ValidationItem[] = [];
    let s = -1;
    for (const item of outline.items) {
      while (s + 1 < sections.length && sections[s + 1]!.line < item.line) s++;
      const section = sections[s];
      if (section === undefined || item.line > section.endLine || item.checked === null) continue;
      if (kinds[s] === 'tasks') this.readTask(item, null);
      else if (kinds[s] === 'validation') {
        validation.push({ text: this.itemText(item).text, checked: item.checked, line: item.line });
      }
    }

    const recipes: Recipe[] = [];
    sections.forEach((section, index) => {
      if (kinds[index] !== 'recipes') return;
      const body = this.lines.slice(section.line, section.endLine);
      // Comments and fences inside the section are not part of the YAML.
      for (const [first, last] of outline.ignored) {
        for (let n = Math.max(first, section.line + 1); n <= Math.min(last, section.endLine); n++) {
          body[n - section.line - 1] = '';
        }
      }
      recipes.push(...parseRecipesYaml(body.join('\n'), section.line + 1, this.file, this.diagnostics));
    });

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

  /** Reads and blanks the frontmatter so the markdown parser never sees it and lines stay absolute. */
  private readFrontmatter(): Frontmatter {
    if (this.lines[0]?.trimEnd() !== '---') return {};
    let close = -1;
    for (let i = 1; i < this.lines.length; i++) {
      if (this.lines[i]!.trimEnd() === '---') {
        close = i;
        break;
      }
    }
    if (close < 0) {
      this.diag(UNCLOSED_FRONTMATTER, 'error', 'frontmatter opened with "---" on line 1 is never closed', 1);
      this.lines[0] = '';
      return {};
    }
    const yamlText = this.lines.slice(1, close).join('\n');
    for (let i = 0; i <= close; i++) this.lines[i] = '';
    const parsed = parseYamlWithLines(yamlText, 2);
    if (parsed.errors.length > 0) {
      for (const error of parsed.errors) {
        this.diag(BAD_FRONTMATTER, 'error', `frontmatter is not valid YAML: ${error.message}`, error.line);
      }
      return {};
    }
    if (parsed.value === null || parsed.value === undefined) return {};
    if (typeof parsed.value !== 'object' || Array.isArray(parsed.value)) {
      this.diag(BAD_FRONTMATTER, 'error', 'frontmatter must be a YAML mapping of key: value', 2);
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
    const ident = firstWord.replace(/^<(.*)>$/, '$1');

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

    const specs: PendingSpec[] = [];
    const subtasks: OutlineItem[] = [];
    for (const child of node.children) {
      if (child.checked !== null) subtasks.push(child);
      else this.readAttribute(item, child, specs);
    }
    this.checkSpecs(item, specs);
    for (const child of subtasks) this.readTask(child, id);
  }

  private readAttribute(item: BlueprintItem, node: OutlineItem, specs: PendingSpec[]): void {
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
        const yamlText = body.map((l) => l.slice(Number.isFinite(indent) ? indent : 0)).join('\n');
        const parsed = parseYamlWithLines(yamlText, firstLine);
        if (parsed.errors.length > 0) {
          for (const error of parsed.errors) {
            this.diag(
              BAD_YAML_BLOCK,
              'error',
              `Dependency Specs of ${item.id} is not valid YAML: ${error.message}`,
              error.line,
            );
          }
          return;
        }
        specs.push({ value: parsed.value, locate: parsed.locate });
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
      const ref = part.trim().replace(/^<(.*)>$/, '$1');
      if (ref === '') continue;
      if (!LOOSE_ID.test(ref)) {
        this.diag(BAD_DEPENDENCY_REF, 'error', `dependency "${ref}" of ${item.id} is not an id`, line);
        continue;
      }
      if (!item.depends_on.includes(ref)) {
        item.depends_on.push(ref);
        item.depends_lines![ref] = line;
      }
    }
  }

  /** Specs are checked after all attributes, so Depends may come before or after them. */
  private checkSpecs(item: BlueprintItem, specs: PendingSpec[]): void {
    for (const { value, locate } of specs) {
      if (value === null || value === undefined) continue;
      if (!Array.isArray(value)) {
        this.diag(BAD_YAML_BLOCK, 'error', `Dependency Specs of ${item.id} must be a YAML list`, locate([]));
        continue;
      }
      value.forEach((entry: unknown, index) => {
        const line = locate([index]);
        if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
          this.diag(
            BAD_YAML_BLOCK,
            'error',
            `dependency spec #${index + 1} of ${item.id} must be a mapping`,
            line,
          );
          return;
        }
        const record = entry as Record<string, unknown>;
        const spec = this.checkSpec(item, record, index, line, locate);
        if (spec !== null) item.dependency_specs.push(spec);
      });
    }
  }

  private checkSpec(
    item: BlueprintItem,
    record: Record<string, unknown>,
    index: number,
    line: number,
    locate: PendingSpec['locate'],
  ): DependencySpec | null {
    const taskId = typeof record.task_id === 'string' ? record.task_id.trim() : '';
    let ok = true;
    if (taskId === '') {
      this.diag(
        SPEC_NOT_IN_DEPENDS,
        'error',
        `dependency spec #${index + 1} of ${item.id} has no task_id`,
        line,
      );
      ok = false;
    } else if (!item.depends_on.includes(taskId)) {
      this.diag(
        SPEC_NOT_IN_DEPENDS,
        'error',
        `dependency spec for ${taskId} under ${item.id} names a task that is not in its Depends`,
        line,
      );
      ok = false;
    }
    const policy = record.policy ?? 'completion_required';
    if (typeof policy !== 'string' || !(DEPENDENCY_POLICIES as readonly string[]).includes(policy)) {
      this.diag(
        BAD_POLICY,
        'error',
        `dependency policy "${String(policy)}" of ${item.id} is not one of ${DEPENDENCY_POLICIES.join(', ')}`,
        locate([index, 'policy']),
      );
      return null;
    }
    const artifactKey = record.artifact_key;
    if (policy === 'artifact_ready' && (typeof artifactKey !== 'string' || artifactKey.trim() === '')) {
      this.diag(
        BAD_POLICY,
        'error',
        `artifact_ready dependency of ${item.id} on ${taskId} needs an artifact_key`,
        line,
      );
      return null;
    }
    if (!ok) return null;
    const spec: DependencySpec = { task_id: taskId, policy: policy as DependencyPolicy };
    if (typeof artifactKey === 'string' && artifactKey.trim() !== '') spec.artifact_key = artifactKey.trim();
    return spec;
  }

  private applyAgentDefaults(frontmatter: Frontmatter): void {
    const defaults = frontmatter.agent_defaults;
    if (defaults === undefined) return;
    for (const item of this.items) applyDefaults(item, defaults);
  }
}
