// Dependency references and typed dependency specs, shared by the markdown and YAML/JSON parsers so
// both apply the Python Penguin's typed-dependency contract the same way: a spec is
// `{task_id, policy, artifact_key}`; policy defaults to completion_required; artifact_ready needs an
// artifact_key and no other policy uses one; two specs for one task must agree; a policy is never
// hidden inside an id (`AUTH-1:review_ready_ok`, `AUTH-1|review_ready_ok`).
import { DEPENDENCY_POLICIES, type BlueprintItem, type DependencyPolicy, type Severity } from './model.js';
import {
  BAD_DEPENDENCY_REF,
  BAD_POLICY,
  CONFLICTING_SPECS,
  INCOMPLETE_SPEC,
  MISSING_ARTIFACT_KEY,
  SPEC_NOT_IN_DEPENDS,
  UNKNOWN_KEY,
  UNUSED_ARTIFACT_KEY,
} from './codes.js';
import { LOOSE_ID } from './naming.js';

export type Report = (code: string, severity: Severity, message: string, line: number) => void;

/** `<KEY-1>` -> `KEY-1` (the template wraps idents in angle brackets, also in references). */
export function unwrapId(text: string): string {
  const trimmed = text.trim();
  return trimmed.startsWith('<') && /^<[^<>]*>$/.test(trimmed) ? trimmed.slice(1, -1).trim() : trimmed;
}

/** Why `ref` cannot name a task, or null when it can. Ids have no whitespace, `:` or `|`. */
export function refProblem(ref: string): string | null {
  if (LOOSE_ID.test(ref)) return null;
  if (ref === '') return 'is empty';
  if (/\s/.test(ref)) return 'is not an id (an id has no spaces; write one id per entry)';
  const hidden = /^([^:|]+)[:|](.*)$/.exec(ref);
  if (hidden) {
    return `hides a policy in the id: write the id alone and the policy in a dependency spec (task_id: ${unwrapId(hidden[1]!)}, policy: ${hidden[2] || '...'})`;
  }
  return null;
}

/** Adds a dependency reference to `item`, or reports why it is not one. */
export function addDependency(
  item: BlueprintItem,
  raw: string,
  line: number,
  report: Report,
  where: string,
): void {
  const ref = unwrapId(raw);
  const problem = refProblem(ref);
  if (problem !== null) {
    report(BAD_DEPENDENCY_REF, 'error', `${where} "${ref}" ${problem}`, line);
    return;
  }
  if (!item.depends_on.includes(ref)) {
    item.depends_on.push(ref);
    item.depends_lines![ref] = line;
  }
}

/** One dependency spec as written, with what is needed to point at it. */
export interface RawSpec {
  value: unknown;
  /** Line of the entry. */
  line: number;
  /** Line of one of its fields (the entry's line when the field is absent). */
  lineOf: (key: string) => number;
  /** How messages name the entry: `dependency spec #2 of A-2`, `items[1].dependency_specs[0]`. */
  label: string;
}

export interface SpecMode {
  /**
   * Markdown (the Python markdown rule): a spec's task must also be listed in Depends (BP-PARSE-005).
   * YAML/JSON (the contract: specs are the canonical source): a spec adds its task to depends_on.
   */
  requireDepends: boolean;
}

const SPEC_KEYS = new Set(['task_id', 'policy', 'artifact_key']);

/**
 * Checks each written spec and adds the valid ones to `item.dependency_specs`, in order. A spec with
 * an error is left out (and reported); nothing here throws.
 */
export function addSpecs(
  item: BlueprintItem,
  specs: readonly RawSpec[],
  mode: SpecMode,
  report: Report,
): void {
  const firstLine = new Map<string, number>();
  for (const spec of specs) {
    const { value, line, label } = spec;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      report(
        INCOMPLETE_SPEC,
        'error',
        `${label} must be a mapping with task_id, policy and (for artifact_ready) artifact_key`,
        line,
      );
      continue;
    }
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (!SPEC_KEYS.has(key)) {
        report(UNKNOWN_KEY, 'warning', `${label}: unknown key "${key}" is ignored`, spec.lineOf(key));
      }
    }

    const rawId = record.task_id;
    if (rawId === undefined || rawId === null || (typeof rawId === 'string' && unwrapId(rawId) === '')) {
      report(INCOMPLETE_SPEC, 'error', `${label} has no task_id`, line);
      continue;
    }
    if (typeof rawId !== 'string') {
      report(
        INCOMPLETE_SPEC,
        'error',
        `${label}: task_id must be a string (write "${String(rawId)}" in quotes)`,
        spec.lineOf('task_id'),
      );
      continue;
    }
    const taskId = unwrapId(rawId);
    const problem = refProblem(taskId);
    if (problem !== null) {
      report(BAD_DEPENDENCY_REF, 'error', `${label}: task_id "${taskId}" ${problem}`, spec.lineOf('task_id'));
      continue;
    }

    const rawPolicy = record.policy ?? 'completion_required';
    if (
      typeof rawPolicy !== 'string' ||
      !(DEPENDENCY_POLICIES as readonly string[]).includes(rawPolicy.trim())
    ) {
      report(
        BAD_POLICY,
        'error',
        `${label}: policy "${String(rawPolicy)}" for ${taskId} is not one of ${DEPENDENCY_POLICIES.join(', ')}`,
        spec.lineOf('policy'),
      );
      // The Python parser checks Depends after the policy; report that too so one pass shows both.
      if (mode.requireDepends && !item.depends_on.includes(taskId)) notInDepends(item, taskId, spec, report);
      continue;
    }
    const policy = rawPolicy.trim() as DependencyPolicy;

    const rawKey = record.artifact_key;
    const artifactKey = typeof rawKey === 'string' && rawKey.trim() !== '' ? rawKey.trim() : null;
    if (policy === 'artifact_ready' && artifactKey === null) {
      report(
        MISSING_ARTIFACT_KEY,
        'error',
        `${label}: artifact_ready dependency on ${taskId} needs an artifact_key (the key of the artifact to wait for)`,
        line,
      );
      continue;
    }
    if (policy !== 'artifact_ready' && rawKey !== undefined && rawKey !== null) {
      report(
        UNUSED_ARTIFACT_KEY,
        'warning',
        `${label}: artifact_key is only used by artifact_ready; it is ignored for ${policy}`,
        spec.lineOf('artifact_key'),
      );
    }

    if (!item.depends_on.includes(taskId)) {
      if (mode.requireDepends) {
        notInDepends(item, taskId, spec, report);
        continue;
      }
      item.depends_on.push(taskId);
      item.depends_lines![taskId] ??= line;
    }

    const existing = item.dependency_specs.find((s) => s.task_id === taskId);
    if (existing !== undefined) {
      // The same spec written twice says nothing new; two different ones cannot both hold.
      if (existing.policy !== policy || (existing.artifact_key ?? null) !== artifactKey) {
        const describe = (p: string, k: string | null | undefined) => (k ? `${p} (${k})` : p);
        report(
          CONFLICTING_SPECS,
          'error',
          `${label} conflicts with the spec for ${taskId} on line ${firstLine.get(taskId) ?? line}: ${describe(policy, artifactKey)} vs ${describe(existing.policy, existing.artifact_key)}; keep one`,
          line,
        );
      }
      continue;
    }
    firstLine.set(taskId, line);
    item.dependency_specs.push(
      policy === 'artifact_ready'
        ? { task_id: taskId, policy, artifact_key: artifactKey! }
        : { task_id: taskId, policy },
    );
  }
}

function notInDepends(item: BlueprintItem, taskId: string, spec: RawSpec, report: Report): void {
  report(
    SPEC_NOT_IN_DEPENDS,
    'error',
    `${spec.label} is for ${taskId}, which is not in the Depends of ${item.id} (add "Depends: ${taskId}")`,
    spec.line,
  );
}
