// Public API of the events module: the event vocabulary, the log and its cross-process tail.
export * from './types.js';
export * from './log.js';
export * from './tail.js';
