// Contracts of the blueprint model (DESIGN §3): the diagnostic every lint and sync reports, the enums
// items use, and the item, recipe and validation shapes `blueprint lint --json` prints. The blueprint
// parser builds values of these types; zod is the one source of both the type and its JSON Schema.
import { z } from 'zod';

export const BLUEPRINT_FORMATS = ['markdown', 'yaml', 'json'] as const;
export const BlueprintFormatSchema = z.enum(BLUEPRINT_FORMATS);
export type BlueprintFormat = z.infer<typeof BlueprintFormatSchema>;

export const SEVERITIES = ['error', 'warning'] as const;
export const SeveritySchema = z.enum(SEVERITIES);
export type Severity = z.infer<typeof SeveritySchema>;

/** A finding about a blueprint. `line` is the absolute 1-based line in `file`. */
export const DiagnosticSchema = z.object({
  code: z.string(),
  severity: SeveritySchema,
  message: z.string(),
  file: z.string(),
  line: z.number().int(),
  column: z.number().int().optional(),
});
export type Diagnostic = z.infer<typeof DiagnosticSchema>;

export const DEPENDENCY_POLICIES = ['completion_required', 'review_ready_ok', 'artifact_ready'] as const;
export const DependencyPolicySchema = z.enum(DEPENDENCY_POLICIES);
export type DependencyPolicy = z.infer<typeof DependencyPolicySchema>;

export const PRIORITIES = ['low', 'medium', 'high', 'critical'] as const;
export const PrioritySchema = z.enum(PRIORITIES);
export type Priority = z.infer<typeof PrioritySchema>;

export const SEQUENCES = ['alpha', 'beta', 'rc', 'ga'] as const;
export const SequenceSchema = z.enum(SEQUENCES);
export type Sequence = z.infer<typeof SequenceSchema>;
