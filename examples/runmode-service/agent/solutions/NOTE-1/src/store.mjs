// An in-memory note store.
export function createStore() {
  const notes = [];
  return {
    add(title, body) {
      const note = { id: notes.length + 1, title, body };
      notes.push(note);
      return note;
    },
    list() {
      return [...notes];
    },
  };
}
