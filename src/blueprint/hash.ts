import { createHash } from 'node:crypto';
import type { BlueprintItem } from './model.js';

/**
 * The fields whose change means the work changed. Position (line, order) and the checkbox are left
 * out: moving an item or ticking it is not new work, and must not mark a done task stale.
 */
const CONTENT_FIELDS = [
  'title',
  'description',
  'parent_id',
  'acceptance_criteria',
  'depends_on',
  'dependency_specs',
  'recipe',
  'tests',
  'priority',
  'labels',
  'assignees',
  'required_tools',
  'skills',
  'due',
  'sequence',
  'estimate',
  'effort',
  'value',
  'risk',
  'agent_role',
  'parallelizable',
  'batch',
] as const satisfies readonly (keyof BlueprintItem)[];

/** sha256 (hex) of the item's content fields in a fixed order. */
export function itemContentHash(item: BlueprintItem): string {
  const content = CONTENT_FIELDS.map((field) => item[field] ?? null);
  return createHash('sha256').update(JSON.stringify(content)).digest('hex');
}
