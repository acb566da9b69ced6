// Diagnostic codes (DESIGN §3). The BP-PARSE-003..012 and BP-LINT-001..004/101..103 codes keep the
// meaning they have in the Python Penguin; new ones start at BP-PARSE-020 / BP-LINT-120.

/** A dependency spec's policy is not a known policy, or artifact_ready has no artifact_key. */
export const BAD_POLICY = 'BP-PARSE-003';
/** A metadata value (or attribute value) is not valid for its key. */
export const BAD_METADATA_VALUE = 'BP-PARSE-004';
/** A dependency spec names a task that is not in the item's Depends. */
export const SPEC_NOT_IN_DEPENDS = 'BP-PARSE-005';
/** A task has neither an ident nor an {id=...}. */
export const TASK_WITHOUT_ID = 'BP-PARSE-006';
/** An embedded YAML block (Dependency Specs, Usage Recipes) is not valid YAML. */
export const BAD_YAML_BLOCK = 'BP-PARSE-007';
/** The frontmatter is opened and never closed. */
export const UNCLOSED_FRONTMATTER = 'BP-PARSE-008';
/** The frontmatter is not valid YAML, not a mapping, or a known field has the wrong type. */
export const BAD_FRONTMATTER = 'BP-PARSE-009';
/** A usage recipe does not match the recipe schema. */
export const BAD_RECIPE = 'BP-PARSE-010';
/** An unknown attribute or metadata key (warning: kept nowhere, so never silently dropped). */
export const UNKNOWN_KEY = 'BP-PARSE-011';
/** A metadata block is malformed (unterminated brace or quote, a segment without a key). */
export const MALFORMED_METADATA = 'BP-PARSE-012';
/** The file is larger than the blueprint size limit. */
export const FILE_TOO_LARGE = 'BP-PARSE-020';
/** The file is not UTF-8 text (invalid bytes or NUL bytes). */
export const NOT_TEXT = 'BP-PARSE-021';
/** A YAML/JSON blueprint does not match the schema. */
export const BAD_STRUCTURE = 'BP-PARSE-022';
/** A JSON blueprint is not valid JSON (or a YAML blueprint not valid YAML). */
export const INVALID_SYNTAX = 'BP-PARSE-023';
/** The file cannot be read. */
export const UNREADABLE = 'BP-PARSE-024';
/** The file's extension is not a blueprint format. */
export const UNSUPPORTED_FORMAT = 'BP-PARSE-025';
/** A dependency reference is not a valid id (empty or contains whitespace). */
export const BAD_DEPENDENCY_REF = 'BP-PARSE-026';

/** An id is defined twice. */
export const DUPLICATE_ID = 'BP-LINT-001';
/** A dependency names an id that is not in the blueprint. */
export const MISSING_DEPENDENCY = 'BP-LINT-002';
/** A dependency cycle (also a task depending on itself). */
export const DEPENDENCY_CYCLE = 'BP-LINT-003';
/** The blueprint has no tasks. */
export const NO_TASKS = 'BP-LINT-004';
/** An item has no acceptance criteria. */
export const NO_ACCEPTANCE = 'BP-LINT-101';
/** A completion_required spec only repeats what Depends already says. */
export const REDUNDANT_SPEC = 'BP-LINT-102';
/** An item has no estimate. */
export const NO_ESTIMATE = 'BP-LINT-103';
/** A task names a recipe that is not defined. */
export const UNKNOWN_RECIPE = 'BP-LINT-120';
/** A recipe step covers a criterion number that no task using the recipe has. */
export const UNCOVERABLE_CRITERION = 'BP-LINT-121';
/** A recipe name is defined twice. */
export const DUPLICATE_RECIPE = 'BP-LINT-122';
