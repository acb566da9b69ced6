// `graph show --format dot|json|mermaid`: the task DAG for people and tools. Edges point from the
// upstream task to its dependent (the direction work flows), unlike dag.ts which follows "depends on".
// Titles come from blueprints, so every label is escaped for its format.
import type { DependencyPolicy } from '../blueprint/model.js';
import type { Dependency, Task, TaskPhase, TaskStatus } from './model.js';

export const GRAPH_FORMATS = ['dot', 'json', 'mermaid'] as const;
export type GraphFormat = (typeof GRAPH_FORMATS)[number];

export interface GraphJson {
  nodes: { id: string; blueprint_id: string; title: string; status: TaskStatus; phase: TaskPhase }[];
  /** `from` is the upstream's blueprint id, `to` the dependent's. */
  edges: { from: string; to: string; policy: DependencyPolicy; artifact_key: string | null }[];
}

interface OrderedGraph {
  tasks: Task[];
  edges: { from: Task; to: Task; dep: Dependency }[];
}

function compare(a: Task, b: Task): number {
  return a.blueprint_order - b.blueprint_order || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Tasks in blueprint order; edges between given tasks only, by upstream then dependent order. */
function ordered(tasks: readonly Task[], deps: readonly Dependency[]): OrderedGraph {
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const edges: OrderedGraph['edges'] = [];
  for (const dep of deps) {
    const from = byId.get(dep.depends_on_id);
    const to = byId.get(dep.task_id);
    if (from && to) edges.push({ from, to, dep });
  }
  edges.sort((a, b) => compare(a.from, b.from) || compare(a.to, b.to));
  return { tasks: [...tasks].sort(compare), edges };
}

/** The edge annotation for anything but the default policy. */
function edgeLabel(dep: Dependency): string | null {
  if (dep.policy === 'completion_required') return null;
  if (dep.policy === 'artifact_ready') return `artifact: ${dep.artifact_key ?? '?'}`;
  return dep.policy;
}

export function graphToJson(tasks: readonly Task[], deps: readonly Dependency[]): GraphJson {
  const graph = ordered(tasks, deps);
  return {
    nodes: graph.tasks.map((t) => ({
      id: t.id,
      blueprint_id: t.blueprint_id,
      title: t.title,
      status: t.status,
      phase: t.phase,
    })),
    edges: graph.edges.map(({ from, to, dep }) => ({
      from: from.blueprint_id,
      to: to.blueprint_id,
      policy: dep.policy,
      artifact_key: dep.artifact_key,
    })),
  };
}

/** A DOT double-quoted string: backslash and quote escaped, line breaks as DOT's `\n`. */
export function dotString(text: string): string {
  const escaped = text
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\r\n|\r|\n/g, '\\n');
  return `"${escaped}"`;
}

const DOT_STATUS_COLORS: Partial<Record<TaskStatus, string>> = {
  completed: 'palegreen',
  pending_review: 'lightblue',
  running: 'gold',
  waiting_input: 'orange',
  failed: 'salmon',
  cancelled: 'lightgray',
  archived: 'lightgray',
};

function toDot(tasks: readonly Task[], deps: readonly Dependency[]): string {
  const graph = ordered(tasks, deps);
  const lines = [
    'digraph penguin {',
    '  rankdir=LR;',
    '  node [shape=box, style="rounded,filled", fillcolor=white];',
  ];
  for (const task of graph.tasks) {
    const label = dotString(`${task.blueprint_id}: ${task.title}\n${task.status} / ${task.phase}`);
    const color = DOT_STATUS_COLORS[task.status];
    const fill = color === undefined ? '' : `, fillcolor=${color}`;
    lines.push(`  ${dotString(task.id)} [label=${label}${fill}];`);
  }
  for (const { from, to, dep } of graph.edges) {
    const label = edgeLabel(dep);
    const attrs = label === null ? '' : ` [label=${dotString(label)}, style=dashed]`;
    lines.push(`  ${dotString(from.id)} -> ${dotString(to.id)}${attrs};`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

/**
 * Text for a mermaid quoted label or edge label. Mermaid has no backslash escapes; it takes HTML-like
 * entity codes (`#quot;`), so `#` itself is encoded first and every character that could end the label
 * or start markup follows. Line breaks become `<br/>`, the one markup let through.
 */
export function mermaidText(text: string): string {
  const entities: Record<string, string> = {
    '#': '#35;',
    '"': '#quot;',
    '<': '#lt;',
    '>': '#gt;',
    '&': '#amp;',
    '|': '#124;',
    '`': '#96;',
    '[': '#91;',
    ']': '#93;',
    '{': '#123;',
    '}': '#125;',
    '(': '#40;',
    ')': '#41;',
    ';': '#59;',
  };
  return text.replace(/[#"<>&|`[\]{}();]/g, (c) => entities[c] ?? c).replace(/\r\n|\r|\n/g, '<br/>');
}

function toMermaid(tasks: readonly Task[], deps: readonly Dependency[]): string {
  const graph = ordered(tasks, deps);
  // Blueprint ids may hold dots and dashes, which mermaid reads as syntax: nodes get n0, n1, ...
  const nodeId = new Map(graph.tasks.map((t, i) => [t.id, `n${i}`]));
  const lines = ['graph TD'];
  for (const task of graph.tasks) {
    lines.push(`  ${nodeId.get(task.id)}["${mermaidText(`${task.blueprint_id}: ${task.title}`)}"]`);
  }
  for (const { from, to, dep } of graph.edges) {
    const label = edgeLabel(dep);
    const arrow = label === null ? '-->' : `-.->|"${mermaidText(label)}"|`;
    lines.push(`  ${nodeId.get(from.id)} ${arrow} ${nodeId.get(to.id)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The graph of `tasks` (edges from `deps` between them) as Graphviz DOT, JSON or mermaid text. */
export function exportGraph(
  tasks: readonly Task[],
  deps: readonly Dependency[],
  format: GraphFormat,
): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(graphToJson(tasks, deps), null, 2)}\n`;
    case 'dot':
      return toDot(tasks, deps);
    case 'mermaid':
      return toMermaid(tasks, deps);
  }
}
