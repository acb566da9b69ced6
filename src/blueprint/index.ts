// Public API of the blueprint module.
export * from './model.js';
export * as codes from './codes.js';
export { itemContentHash } from './hash.js';
export { lintBlueprint } from './lint.js';
export { loadBlueprint, sortDiagnostics } from './load.js';
export { detectFormat, MAX_BLUEPRINT_BYTES, parseBlueprintFile, parseBlueprintText } from './parse.js';
export { expandBlueprintSources, resolveBlueprintSources } from './sources.js';
