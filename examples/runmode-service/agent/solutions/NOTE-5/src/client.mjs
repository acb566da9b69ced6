// A client for the notes API, checked against the published schema.
import { readFileSync } from 'node:fs';

const schema = JSON.parse(readFileSync(new URL('../out/notes_schema.json', import.meta.url), 'utf8'));

export function fieldsOf() {
  return Object.keys(schema.note);
}

export async function addNote(baseUrl, title, body) {
  const res = await fetch(`${baseUrl}/notes`, { method: 'POST', body: JSON.stringify({ title, body }) });
  const note = await res.json();
  for (const field of fieldsOf()) if (!(field in note)) throw new Error(`the API left out ${field}`);
  return note;
}
