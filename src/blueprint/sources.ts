import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { globSync } from 'tinyglobby';

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * Expand blueprint source patterns relative to `root`: absolute paths, sorted and deduplicated. A
 * pattern naming an existing file is taken as is (its name may contain glob characters).
 */
export function resolveBlueprintSources(root: string, patterns: string[]): string[] {
  const found = new Set<string>();
  for (const pattern of patterns) {
    const direct = resolve(root, pattern);
    if (isFile(direct)) {
      found.add(direct);
      continue;
    }
    for (const path of globSync(pattern, {
      cwd: root,
      absolute: true,
      onlyFiles: true,
      expandDirectories: false,
    })) {
      found.add(resolve(path));
    }
  }
  return [...found].sort();
}
