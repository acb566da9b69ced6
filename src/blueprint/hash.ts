// An item's content hash: what sync stores per task and drift compares, so a change to the work (not
// to its position or checkbox) marks a synced task changed or stale.
import * as nodeCrypto from 'node:crypto';
import type { BlueprintItem } from './model.js';

/**
 * The fields whose change means the work changed, in the order they are hashed. Position (line,
 * order) and the checkbox are left out: moving an item or ticking it is not new work, and must not
 * mark a done task stale. itemContentHash writes them out in this order (a test holds it to this list).
 */
export const CONTENT_FIELDS = [
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

/** One-shot sha256 (Node >= 20.12) skips building a Hash object per item; createHash before that. */
const sha256Hex: (text: string) => string =
  typeof nodeCrypto.hash === 'function'
    ? (text) => nodeCrypto.hash('sha256', text, 'hex')
    : (text) => nodeCrypto.createHash('sha256').update(text).digest('hex');

/**
 * sha256 (hex) of the JSON array of the item's CONTENT_FIELDS values (absent ones as null). Stored
 * hashes depend on exactly these bytes: changing the fields, their order or the encoding marks every
 * synced task as changed.
 */
export function itemContentHash(item: BlueprintItem): string {
  let hash = computed.get(item);
  if (hash === undefined) {
    hash = contentHashOf(item);
    computed.set(item, hash);
  }
  return hash;
}

// Parsing hashes every item once (DESIGN §1: the blueprint part owns item content hashes); sync and
// drift then look the hash up. Keyed by the item object: items are not mutated after parsing, and a
// changed copy (`{ ...item, title }`) is a new key, so it is hashed afresh.
const computed = new WeakMap<BlueprintItem, string>();

function contentHashOf(item: BlueprintItem): string {
  // CONTENT_FIELDS written out: with direct property reads building and serialising the array takes
  // about a third less time than mapping over the names, and sync and drift hash every item.
  const content = [
    item.title ?? null,
    item.description ?? null,
    item.parent_id ?? null,
    item.acceptance_criteria ?? null,
    item.depends_on ?? null,
    item.dependency_specs ?? null,
    item.recipe ?? null,
    item.tests ?? null,
    item.priority ?? null,
    item.labels ?? null,
    item.assignees ?? null,
    item.required_tools ?? null,
    item.skills ?? null,
    item.due ?? null,
    item.sequence ?? null,
    item.estimate ?? null,
    item.effort ?? null,
    item.value ?? null,
    item.risk ?? null,
    item.agent_role ?? null,
    item.parallelizable ?? null,
    item.batch ?? null,
  ];
  return sha256Hex(JSON.stringify(content));
}
