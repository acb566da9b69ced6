export * from './types.js';
export * from './log.js';
export * from './tail.js';
