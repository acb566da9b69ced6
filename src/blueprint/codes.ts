// Diagnostic codes (DESIGN §3). BP-PARSE-003..012 and BP-LINT-001..004/101..103 mean what they mean
// in the Python Penguin's parser and linter (penguin/project/blueprint_parser.py), so a user moving
// between the two reads the same code the same way; every other condition has a code of its own from
// BP-PARSE-020 / BP-LINT-120 up. docs/blueprints.md lists each code with an example, and a test
// (test/blueprint/codes-doc.test.ts) checks every example against the parser.

/** A dependency spec's policy is not a known policy. */
export const BAD_POLICY = 'BP-PARSE-003';
/** An artifact_ready dependency spec has no artifact_key. */
export const MISSING_ARTIFACT_KEY = 'BP-PARSE-004';
/** A markdown dependency spec names a task that is not in the task's Depends. */
export const SPEC_NOT_IN_DEPENDS = 'BP-PARSE-005';
/** Two dependency specs for the same task_id disagree (policy or artifact_key). */
export const CONFLICTING_SPECS = 'BP-PARSE-006';
/** A dependency spec is incomplete: no task_id (or not a string), not a mapping, or not in a list. */
export const INCOMPLETE_SPEC = 'BP-PARSE-007';
/** The frontmatter is opened and never closed. */
export const UNCLOSED_FRONTMATTER = 'BP-PARSE-008';
/** The frontmatter is not valid YAML, not a mapping, or a known field has the wrong type. */
export const BAD_FRONTMATTER = 'BP-PARSE-009';
/** The root of a YAML/JSON blueprint is not a mapping. */
export const ROOT_NOT_MAPPING = 'BP-PARSE-010';
/** `items` / `tasks` of a YAML/JSON blueprint is not a list. */
export const ITEMS_NOT_LIST = 'BP-PARSE-011';
/** An entry of `items` / `tasks` is not a mapping. */
export const ITEM_NOT_MAPPING = 'BP-PARSE-012';

/** The file is larger than the blueprint size limit. */
export const FILE_TOO_LARGE = 'BP-PARSE-020';
/** The file is not UTF-8 text (invalid bytes or NUL bytes). */
export const NOT_TEXT = 'BP-PARSE-021';
/** A YAML/JSON blueprint field has the wrong type or value. */
export const BAD_STRUCTURE = 'BP-PARSE-022';
/** A JSON blueprint is not valid JSON (or a YAML blueprint not valid YAML). */
export const INVALID_SYNTAX = 'BP-PARSE-023';
/** The file cannot be read. */
export const UNREADABLE = 'BP-PARSE-024';
/** The file's extension is not a blueprint format. */
export const UNSUPPORTED_FORMAT = 'BP-PARSE-025';
/** A dependency reference is not an id: whitespace in it, or a policy hidden in it (`A-1:x`, `A-1|x`). */
export const BAD_DEPENDENCY_REF = 'BP-PARSE-026';
/** A metadata value is not valid for its key, or `{id=...}` conflicts with the ident. */
export const BAD_METADATA_VALUE = 'BP-PARSE-027';
/** A task has neither an ident nor an {id=...}. */
export const TASK_WITHOUT_ID = 'BP-PARSE-028';
/** An embedded YAML block (Dependency Specs, Usage Recipes) is not valid YAML. */
export const BAD_YAML_BLOCK = 'BP-PARSE-029';
/** A usage recipe does not match the recipe schema. */
export const BAD_RECIPE = 'BP-PARSE-030';
/** An unknown attribute, metadata or item key (warning: ignored, so never silently dropped). */
export const UNKNOWN_KEY = 'BP-PARSE-031';
/** A metadata block is malformed (unterminated brace or quote, a segment without a key). */
export const MALFORMED_METADATA = 'BP-PARSE-032';
/** A dependency spec carries an artifact_key its policy does not use (warning: the key is ignored). */
export const UNUSED_ARTIFACT_KEY = 'BP-PARSE-033';
/** A markdown line nests block quotes or lists deeper than the parser follows. */
export const NESTING_TOO_DEEP = 'BP-PARSE-034';
/** A blueprint source is a symlink leading outside the workspace (warning: the file is not read). */
export const SYMLINK_OUTSIDE_WORKSPACE = 'BP-PARSE-035';

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
