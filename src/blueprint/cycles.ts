// Peels a dependency graph down to the nodes that lie on or between cycles (Kahn's algorithm).
// Usually nothing is left, so lint and sync only build a graphology graph for the rare remainder:
// building one for 10,000 tasks costs more than the whole check.

/**
 * The nodes that remain after repeatedly removing nodes with no outstanding dependency. Empty means
 * the graph is acyclic. `dependsOn(id)` lists a node's upstream ids; ids not in `ids` are ignored.
 */
export function nodesOnCycles(
  ids: Iterable<string>,
  dependsOn: (id: string) => Iterable<string>,
): Set<string> {
  const remaining = new Map<string, number>();
  for (const id of ids) remaining.set(id, 0);
  const dependents = new Map<string, string[]>();
  for (const id of remaining.keys()) {
    let count = 0;
    for (const dep of dependsOn(id)) {
      if (!remaining.has(dep)) continue;
      count++;
      const list = dependents.get(dep);
      if (list === undefined) dependents.set(dep, [id]);
      else list.push(id);
    }
    remaining.set(id, count);
  }
  const ready: string[] = [];
  for (const [id, count] of remaining) if (count === 0) ready.push(id);
  for (let head = 0; head < ready.length; head++) {
    const id = ready[head] as string;
    remaining.delete(id);
    for (const dependent of dependents.get(id) ?? []) {
      const left = (remaining.get(dependent) as number) - 1;
      remaining.set(dependent, left);
      if (left === 0) ready.push(dependent);
    }
  }
  return new Set(remaining.keys());
}
