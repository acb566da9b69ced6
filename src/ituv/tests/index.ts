// The TEST phase's public surface.
export { runTests, type RunTestsOptions } from './runner.js';
export { selectTests, type TestSelection, type SelectTestsOptions } from './select.js';
export { detectRunner, RUNNER_KINDS, type RunnerKind } from './detect.js';
export { parseJunit, JunitParseError } from './junit.js';
export { coversTask, criteriaOf } from './mapping.js';
