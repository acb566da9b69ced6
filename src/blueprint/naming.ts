// Project keys and item ids: the shapes DESIGN §3 allows, and the fallbacks for a project key.
import { basename, extname } from 'node:path';

/** An ident: letters (words joined by `-`), `-`, then a tail starting with a digit (AUTH-1, KEY-2A, WEB-1.2). */
export const IDENT = /^[A-Za-z][A-Za-z0-9_]*(?:-[A-Za-z][A-Za-z0-9_]*)*-\d[A-Za-z0-9]*(?:\.[A-Za-z0-9]+)*$/;

/**
 * Any non-empty id without whitespace, `:` or `|` (YAML/JSON ids, `{id=...}`, references). `:` and `|`
 * are kept out so that `AUTH-1:review_ready_ok` can never be read as an id (the typed-dependency
 * contract forbids hiding a policy in one).
 */
export const LOOSE_ID = /^[^\s:|]+$/;

/** "Bookmarks Service" -> "BOOKMARKS-SERVICE"; empty when nothing alphanumeric is left. */
export function slugKey(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .toUpperCase();
}

/** project_key, else a slug of the title, else a slug of the file name stem (else "BLUEPRINT"). */
export function projectKeyFor(projectKey: string | undefined, title: string | null, file: string): string {
  if (projectKey !== undefined && projectKey.trim() !== '') return projectKey.trim();
  const fromTitle = title === null ? '' : slugKey(title);
  if (fromTitle !== '') return fromTitle;
  const stem = basename(file, extname(file));
  return slugKey(stem) || 'BLUEPRINT';
}
