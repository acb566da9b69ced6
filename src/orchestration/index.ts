export * from './backend.js';
export * from './phase-executor.js';
export * from './factory.js';
export * from './machine/index.js';
export { NativeEngine, type NativeEngineConfig, type NativeEngineOptions } from './native/engine.js';
