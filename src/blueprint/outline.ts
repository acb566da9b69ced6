// The block outline of a markdown blueprint: root headings, root list items (with nested items) and
// the line ranges of HTML blocks and fenced code. mdast-util-from-markdown is the reference; its
// tokenizer is slow on very long lists (quadratic in list length, ~1 s per 10,000 lines here), so a
// line scanner handles documents made only of the plain constructs it fully understands (headings,
// bullets, paragraphs) and gives up (returns null) on anything else. A property test checks that both
// agree on every document the scanner accepts.
import { fromMarkdown } from 'mdast-util-from-markdown';
import { gfmTaskListItemFromMarkdown } from 'mdast-util-gfm-task-list-item';
import { gfmTaskListItem } from 'micromark-extension-gfm-task-list-item';
import type { List, ListItem, Nodes, Root, RootContent } from 'mdast';

export interface OutlineHeading {
  depth: number;
  line: number;
  /** Heading text (raw source, markers stripped). */
  text: string;
}

export interface OutlineItem {
  line: number;
  /** Last line of the item, nested content included. */
  endLine: number;
  /** Last line of the item's first paragraph (the item line when it has none). */
  textEndLine: number;
  /** null for a plain bullet, true/false for `[x]` / `[ ]`. */
  checked: boolean | null;
  children: OutlineItem[];
}

export interface Outline {
  headings: OutlineHeading[];
  /** Items of root-level lists, in document order. */
  items: OutlineItem[];
  /** [first, last] line ranges of HTML blocks and fenced code (anywhere), in document order. */
  ignored: Array<[number, number]>;
}

/** Build the outline; `lines` are the source lines (frontmatter already blanked). */
export function buildOutline(lines: readonly string[], engine: 'auto' | 'mdast' = 'auto'): Outline {
  if (engine === 'auto') {
    const fast = scanPlainOutline(lines);
    if (fast !== null) return fast;
  }
  return mdastOutline(lines);
}

// ---------------------------------------------------------------------------------------------
// Nesting guard

/** Container depth (block quotes and list items) past which a line is refused (BP-PARSE-034). */
export const MAX_NESTING = 100;

const THEMATIC = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/;

/**
 * An upper bound of the container depth a line opens: its block-quote and list markers plus half
 * its indentation (a nested list item sits at least two columns right of its parent). mdast builds
 * one nested node per level and micromark re-checks every open container on every line, so a line
 * like `> > > ...` or `- - - ...` 50,000 levels deep overflows the stack or runs for minutes; this
 * linear bound lets the parser refuse such a line before mdast sees it.
 */
export function nestingDepth(line: string): number {
  let indent = 0;
  let i = 0;
  for (; i < line.length; i++) {
    const ch = line[i];
    if (ch === ' ') indent++;
    else if (ch === '\t') indent += 4 - (indent % 4);
    else break;
  }
  let markers = 0;
  while (i < line.length) {
    const ch = line[i]!;
    if (ch === ' ' || ch === '\t') {
      i++;
    } else if (ch === '>') {
      markers++;
      i++;
    } else if ((ch === '-' || ch === '*' || ch === '+') && /[ \t]|^$/.test(line[i + 1] ?? '')) {
      markers++;
      i++;
    } else if (ch >= '0' && ch <= '9') {
      const ordered = /^\d{1,9}[.)](?:[ \t]|$)/.exec(line.slice(i, i + 11));
      if (!ordered) break;
      markers++;
      i += ordered[0].length;
    } else {
      break;
    }
  }
  // `- - -` alone is a thematic break, not three lists; it opens nothing.
  if (markers > MAX_NESTING && THEMATIC.test(line)) return 0;
  return markers + Math.floor(indent / 2);
}

/** 1-based numbers of the lines nested deeper than `max`, in order. */
export function tooDeepLines(lines: readonly string[], max = MAX_NESTING): number[] {
  const out: number[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    // Cheap test first: a line shorter than `max` cannot hold `max` markers or `2 * max` spaces.
    if (line.length > max && nestingDepth(line) > max) out.push(i + 1);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Reference: mdast

/** Lines per mdast parse: long enough to be cheap per call, short enough to stay linear. */
const CHUNK_LINES = 400;
/** A line that may start a root-level block: a column-1 bullet or ATX heading. */
const ROOT_START = /^(?:[-*+] |#{1,6}(?: |$))/;

/**
 * The outline by mdast. micromark is quadratic in the length of a list, so a long document is
 * parsed in chunks cut at lines that start a root-level block. A cut is only kept when the parse
 * of the chunk plus the cut line shows that line really starting a root-level heading or list
 * item (not inside a fence, comment or other block); then nothing before it can reach past it.
 */
export function mdastOutline(lines: readonly string[], chunkLines = CHUNK_LINES): Outline {
  const outline: Outline = { headings: [], items: [], ignored: [] };
  let start = 0;
  while (start < lines.length) {
    let done = false;
    let from = start + chunkLines;
    while (!done && from < lines.length) {
      let cut = from;
      while (cut < lines.length && !ROOT_START.test(lines[cut]!)) cut++;
      if (cut >= lines.length) break;
      const tree = parseLines(lines.slice(start, cut + 1));
      if (dropRootStart(tree, cut - start + 1)) {
        addToOutline(tree, lines, start, outline);
        start = cut;
        done = true;
      } else {
        // Inside some block: look further, doubling the distance so retries stay linear.
        from = start + 2 * (cut + 1 - start);
      }
    }
    if (!done) {
      addToOutline(parseLines(lines.slice(start)), lines, start, outline);
      break;
    }
  }
  return outline;
}

function parseLines(lines: readonly string[]): Root {
  return fromMarkdown(lines.join('\n'), {
    extensions: [gfmTaskListItem()],
    mdastExtensions: [gfmTaskListItemFromMarkdown()],
  });
}

/** If `line` starts a root heading or a column-1 root list item, remove that node and say so. */
function dropRootStart(tree: Root, line: number): boolean {
  const last = tree.children[tree.children.length - 1];
  if (last === undefined) return false;
  if (last.type === 'heading' && last.position?.start.line === line) {
    tree.children.pop();
    return true;
  }
  if (last.type === 'list') {
    const item = last.children[last.children.length - 1];
    if (item?.position?.start.line === line && item.position.start.column === 1) {
      last.children.pop();
      if (last.children.length === 0) tree.children.pop();
      return true;
    }
  }
  return false;
}

/** Add a chunk's nodes; chunk line n is file line n + offset. */
function addToOutline(tree: Root, lines: readonly string[], offset: number, outline: Outline): void {
  shiftLines(tree, offset);
  for (const node of tree.children) {
    if (node.type === 'heading') {
      outline.headings.push({ depth: node.depth, line: startLine(node), text: headingText(lines, node) });
    } else if (node.type === 'list') {
      outline.items.push(...listItems(node));
    }
  }
  collectIgnored(tree, lines, outline.ignored);
}

function shiftLines(node: Nodes, offset: number): void {
  if (offset === 0) return;
  if (node.position) {
    node.position.start.line += offset;
    node.position.end.line += offset;
  }
  if ('children' in node) for (const child of node.children) shiftLines(child, offset);
}

function startLine(node: Nodes): number {
  return node.position?.start.line ?? 1;
}

function endLine(node: Nodes): number {
  return node.position?.end.line ?? startLine(node);
}

function headingText(lines: readonly string[], node: RootContent): string {
  const first = lines[startLine(node) - 1] ?? '';
  const atx = /^ {0,3}#{1,6}(?:[ \t]+|$)(.*)$/.exec(first);
  if (atx) return atx[1]!.replace(/(?:^|[ \t]+)#+[ \t]*$/, '').trim();
  // Setext: the text lines above the underline.
  const parts: string[] = [];
  for (let n = startLine(node); n < endLine(node); n++) parts.push((lines[n - 1] ?? '').trim());
  return parts.join(' ');
}

function listItems(list: List): OutlineItem[] {
  return list.children.map((item) => outlineItem(item));
}

function outlineItem(item: ListItem): OutlineItem {
  const line = startLine(item);
  const first = item.children[0];
  const textEndLine = first?.type === 'paragraph' && startLine(first) === line ? endLine(first) : line;
  const children: OutlineItem[] = [];
  for (const child of item.children) {
    if (child.type === 'list') children.push(...listItems(child));
  }
  return { line, endLine: endLine(item), textEndLine, checked: item.checked ?? null, children };
}

function collectIgnored(node: Nodes, lines: readonly string[], out: Array<[number, number]>): void {
  if (
    node.type === 'html' ||
    (node.type === 'code' && /^\s*(?:`{3,}|~{3,})/.test(lines[startLine(node) - 1] ?? ''))
  ) {
    out.push([startLine(node), endLine(node)]);
    return;
  }
  if ('children' in node) for (const child of node.children) collectIgnored(child, lines, out);
}

// ---------------------------------------------------------------------------------------------
// Fast path: a scanner for plain documents

interface OpenItem {
  item: OutlineItem;
  contentColumn: number;
}

const BULLET = /^[-*+] (?=\S)/;
const TASK_BOX = /^\[([ xX])\](?= \S)/;
const THEMATIC_BREAK = /^([-*_])(?: *\1){2,} *$/;
const ORDERED_MARKER = /^\d{1,9}[.)]/;

/**
 * Outline of a document made only of blank lines, `#` headings at column 1, `-`/`*`/`+` bullets
 * with one space and text, and paragraph lines; null as soon as a line could be anything else
 * (fences, HTML, block quotes, tabs in indentation, setext underlines, ordered lists, code blocks).
 */
export function scanPlainOutline(lines: readonly string[]): Outline | null {
  const outline: Outline = { headings: [], items: [], ignored: [] };
  const stack: OpenItem[] = [];
  // Whether the previous line left a paragraph open, and whose first paragraph it is.
  let inParagraph = false;
  let firstParagraphOf: OutlineItem | null = null;

  const touch = (lineNo: number): void => {
    for (const open of stack) open.item.endLine = lineNo;
  };
  /** Deepest open item whose content column is at most `indent` (-1 for none). */
  const containerOf = (indent: number): number => {
    let k = stack.length - 1;
    while (k >= 0 && stack[k]!.contentColumn > indent) k--;
    return k;
  };

  for (let index = 0; index < lines.length; index++) {
    const lineNo = index + 1;
    const line = lines[index]!;
    const rest = line.trimStart();
    if (rest === '') {
      inParagraph = false;
      firstParagraphOf = null;
      continue;
    }
    const indent = line.length - rest.length;
    if (/^\s*\t/.test(line) || line.slice(0, indent).trim() !== '') return null;

    if (rest[0] === '#') {
      if (indent > 0 || !/^#{1,6}(?: |$)/.test(rest)) return null;
      stack.length = 0;
      const text = rest
        .replace(/^#+ ?/, '')
        .replace(/(?:^| +)#+ *$/, '')
        .trim();
      outline.headings.push({ depth: /^#+/.exec(rest)![0].length, line: lineNo, text });
      inParagraph = false;
      firstParagraphOf = null;
      continue;
    }

    if (rest[0] === '-' || rest[0] === '*' || rest[0] === '+') {
      if (!BULLET.test(rest) || THEMATIC_BREAK.test(rest)) return null;
      const k = containerOf(indent);
      const base = k >= 0 ? stack[k]!.contentColumn : 0;
      if (indent - base > 3) return null;
      const body = rest.slice(2);
      let checked: boolean | null = null;
      const box = TASK_BOX.exec(body);
      if (box) checked = box[1] !== ' ';
      else if (/^\[[ xX]\]/.test(body)) return null;
      // A bullet whose text starts another block (`- - x`, `- # x`) nests that block: leave it to mdast.
      else if ('-*+#>=_`~<|\\&'.includes(body[0]!) || ORDERED_MARKER.test(body)) return null;
      stack.length = k + 1;
      const item: OutlineItem = { line: lineNo, endLine: lineNo, textEndLine: lineNo, checked, children: [] };
      if (k >= 0) stack[k]!.item.children.push(item);
      else outline.items.push(item);
      touch(lineNo);
      stack.push({ item, contentColumn: indent + 2 });
      inParagraph = true;
      firstParagraphOf = item;
      continue;
    }

    // A paragraph line. Anything whose first character could open another construct is left to mdast.
    if ('>=_`~<|\\&'.includes(rest[0]!) || ORDERED_MARKER.test(rest)) return null;
    if (inParagraph) {
      // Continuation (also lazy): stays in the open paragraph and in every open item.
      touch(lineNo);
      if (firstParagraphOf !== null) firstParagraphOf.textEndLine = lineNo;
      continue;
    }
    if (rest[0] === '[') return null; // could be a link reference definition
    const k = containerOf(indent);
    const base = k >= 0 ? stack[k]!.contentColumn : 0;
    if (indent - base > 3) return null; // indented code
    stack.length = k + 1;
    touch(lineNo);
    inParagraph = true;
    firstParagraphOf = null;
  }
  return outline;
}
