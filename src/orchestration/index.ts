// Public API of the orchestration module: the client/host contract, the phase seam, the factory that
// builds a backend from the config, the pure ITUV machine and the native engine.
export * from './backend.js';
export * from './phase-executor.js';
export * from './factory.js';
export * from './machine/index.js';
export { NativeEngine, type NativeEngineConfig, type NativeEngineOptions } from './native/engine.js';
