// Contracts of the HTTP API (DESIGN §9) that the CLI has no counterpart for: the one error body, the
// request bodies and query strings of each route, and the few documents only the API serves (project
// and artifact lists, the orchestration config, `serve --json`). Responses that the CLI also prints
// reuse the CLI's contracts (views.ts, workflow.ts, cli.ts), so the two cannot disagree.
import { z } from 'zod';
import { BlueprintFormatSchema, DependencyPolicySchema } from './blueprint.js';
import { ArtifactKindSchema } from './phase-result.js';
import { ProjectSchema, TaskStatusSchema } from './task.js';
import { WORKFLOW_STATES } from './workflow.js';

/** Every error the API answers: a machine code, one sentence, and the failing field for a 400. */
export const ApiErrorSchema = z.strictObject({
  error: z.strictObject({
    code: z.string(),
    message: z.string(),
    /** Where the request was wrong, e.g. `body.task` or `query.status`. */
    field: z.string().optional(),
  }),
});
export type ApiError = z.infer<typeof ApiErrorSchema>;

/** An id, key or blueprint id in a path or query: non-empty, one line, bounded. */
const Ref = z.string().min(1).max(200).regex(/\S/);
/** Free text that must say something (not only whitespace). */
const Text = z.string().min(1).max(10_000).regex(/\S/);
const Reason = z.string().max(10_000);

// Query strings and path parameters are not strict: proxies and caches add parameters of their own.
// Bodies are strict, so a misspelt field is a 400 naming it rather than a setting silently ignored.

/** `?project=KEY`, which most routes take to pick the project (optional with one project). */
export const ProjectQuerySchema = z.object({ project: Ref.optional() });

export const WorkflowListQuerySchema = z.object({
  project: Ref.optional(),
  /** Comma-separated workflow states. */
  status: z
    .string()
    .regex(new RegExp(`^(${WORKFLOW_STATES.join('|')})(,(${WORKFLOW_STATES.join('|')}))*$`))
    .optional(),
});

export const WorkflowIdParamsSchema = z.object({ id: Ref });

/** `POST /workflows`: a run for the task (id, or blueprint id with `project`); the server hosts it. */
export const StartWorkflowRequestSchema = z.strictObject({
  task: Ref,
  project: Ref.optional(),
  /** Feedback handed to the first IMPLEMENT. */
  feedback: z.array(Text).max(100).optional(),
});
export type StartWorkflowRequest = z.infer<typeof StartWorkflowRequestSchema>;

export const FeedbackRequestSchema = z.strictObject({ text: Text });

/** `POST /workflows/{id}/signal`: the generic form of pause, resume, cancel and feedback. */
export const SignalRequestSchema = z.discriminatedUnion('name', [
  z.strictObject({ name: z.enum(['pause', 'resume', 'cancel']) }),
  z.strictObject({ name: z.literal('inject_feedback'), text: Text }),
]);
export type SignalRequest = z.infer<typeof SignalRequestSchema>;

export const TaskParamsSchema = z.object({ task: Ref });

export const TaskListQuerySchema = z.object({
  project: Ref.optional(),
  status: TaskStatusSchema.optional(),
});

/** `POST /tasks/{task}/approve|reopen|cancel`. */
export const LifecycleRequestSchema = z.strictObject({
  project: Ref.optional(),
  reason: Reason.optional(),
});

/** `POST /tasks/{task}/verify`: VERIFY again over the newest results, with an override if given. */
export const ReverifyRequestSchema = z.strictObject({
  project: Ref.optional(),
  override: z.strictObject({ criterion: z.number().int().min(1), why: Text }).optional(),
});

/** An artifact_ready dependency names the artifact it waits for; no other policy takes one. */
export const DependencyAddRequestSchema = z.union([
  z.strictObject({
    depends_on: Ref,
    project: Ref.optional(),
    policy: DependencyPolicySchema.exclude(['artifact_ready']).optional(),
  }),
  z.strictObject({
    depends_on: Ref,
    project: Ref.optional(),
    policy: z.literal('artifact_ready'),
    artifact_key: Ref,
  }),
]);

export const DependencyParamsSchema = z.object({ task: Ref, dep: Ref });

export const GraphQuerySchema = z.object({
  project: Ref.optional(),
  format: z.enum(['dot', 'json', 'mermaid']).default('json'),
});

/** `POST /blueprints/lint`: one blueprint document, linted without a file. */
export const LintRequestSchema = z.strictObject({
  format: BlueprintFormatSchema,
  content: z.string(),
  /** A name to report diagnostics under; default `blueprint.<ext>`. */
  name: z
    .string()
    .regex(/^[\w.-]{1,100}$/)
    .optional(),
});

export const ProjectListSchema = z.strictObject({ projects: z.array(ProjectSchema) });
export type ProjectList = z.infer<typeof ProjectListSchema>;

export const ArtifactQuerySchema = z.object({ task: Ref.optional(), workflow: Ref.optional() });
export const ArtifactParamsSchema = z.object({ id: Ref });

/** One recorded artifact; download it from `/artifacts/{id}/content`. */
export const ArtifactRecordSchema = z.strictObject({
  id: z.string(),
  task_id: z.string(),
  workflow_id: z.string(),
  phase: z.string(),
  name: z.string(),
  kind: ArtifactKindSchema,
  key: z.string().nullable(),
  /** Relative to the workspace's artifact directory. */
  path: z.string(),
  size: z.number().int(),
  sha256: z.string(),
  created_at: z.string(),
});
export const ArtifactListSchema = z.strictObject({ artifacts: z.array(ArtifactRecordSchema) });
export type ArtifactList = z.infer<typeof ArtifactListSchema>;

/** `GET /orchestration/config`: the settings runs follow, with secret-looking values masked. */
export const OrchestrationConfigSchema = z.strictObject({
  backend: z.string(),
  orchestration: z.record(z.string(), z.unknown()),
  runmode: z.record(z.string(), z.unknown()),
});
export type OrchestrationConfig = z.infer<typeof OrchestrationConfigSchema>;

/** `GET /events`: filters and the seq to resume after (the `Last-Event-ID` header wins). */
export const EventQuerySchema = z.object({
  project: Ref.optional(),
  task: Ref.optional(),
  workflow: Ref.optional(),
  /** Comma-separated event types. */
  type: z.string().max(2_000).optional(),
  after: z.coerce.number().int().min(0).optional(),
});
export type EventQuery = z.infer<typeof EventQuerySchema>;

/** `serve --json`: one document, printed once the server listens. */
export const ServeStartedSchema = z.strictObject({
  url: z.string(),
  host: z.string(),
  port: z.number().int(),
  auth: z.boolean(),
  workspace: z.string(),
});
export type ServeStarted = z.infer<typeof ServeStartedSchema>;
