// The cycle finder lint and the task DAG share (src/blueprint/cycles.ts), on small hand-made graphs:
// the peel keeps only what lies on or between cycles, and each cycle is the shortest from its earliest node.
import { describe, expect, it } from 'vitest';
import { findCycles, nodesOnCycles } from '../../src/blueprint/cycles.js';

const graph = (edges: Record<string, string[]>) => (id: string) => edges[id] ?? [];

describe('nodesOnCycles', () => {
  it('peels everything off an acyclic graph', () => {
    expect(nodesOnCycles(['a', 'b', 'c'], graph({ b: ['a'], c: ['a', 'b'] })).size).toBe(0);
  });

  it('keeps the nodes on a cycle and those hanging between cycles, never the acyclic tail', () => {
    const left = nodesOnCycles(['a', 'b', 'c', 'd'], graph({ a: ['b'], b: ['a'], c: ['a'], d: ['x'] }));
    expect([...left].sort()).toEqual(['a', 'b', 'c']);
  });
});

describe('findCycles', () => {
  it('reports one shortest cycle per component from its earliest node, plus self-dependencies, in order', () => {
    const cycles = findCycles(
      ['s', 'a', 'b', 'c', 'd', 'e'],
      graph({ s: ['s'], a: ['c', 'b'], b: ['a'], c: ['b'], d: ['e'], e: ['d'] }),
    );
    // a -> b -> a is shorter than a -> c -> b -> a; neighbours are tried in the given order.
    expect(cycles).toEqual([['s'], ['a', 'b'], ['d', 'e']]);
  });

  it('ignores ids that are not in the list', () => {
    expect(findCycles(['a'], graph({ a: ['ghost'] }))).toEqual([]);
  });
});
