// `/tasks`: list with filters, one task with its dependencies, evidence table and history, the review
// and lifecycle moves, VERIFY again with an override, and dependency edits (a cycle is a 409 naming
// it). The routes call the use cases of src/app/tasks.ts and app/workflows.ts, as the CLI does.
import { resolveTask } from '../../project/resolve.js';
import {
  showTask,
  addDependency,
  listDependencies,
  listTasks,
  moveTask,
  removeDependency,
} from '../../app/tasks.js';
import { verifyAgain } from '../../app/workflows.js';
import {
  DependencyAddRequestSchema,
  DependencyParamsSchema,
  LifecycleRequestSchema,
  ProjectQuerySchema,
  ReverifyRequestSchema,
  TaskListQuerySchema,
  TaskParamsSchema,
} from '../../contracts/api.js';
import {
  DependencyChangeSchema,
  DependencyListSchema,
  DependencyRemovalSchema,
  LifecycleMoveSchema,
  TaskListSchema,
  TaskShowSchema,
} from '../../contracts/views.js';
import { VerifyAnswerSchema } from '../../contracts/workflow.js';
import { NotFoundError } from '../../errors.js';
import { optionalBody } from '../openapi.js';
import { ERROR_RESPONSES, type ApiApp, type ApiContext } from './shared.js';

const tags = ['tasks'];

/** `{projectKey}` only when a project was given (the use cases take optional keys, not undefined). */
const inProject = (project: string | undefined): { projectKey?: string } =>
  project === undefined ? {} : { projectKey: project };

export function registerTaskRoutes(app: ApiApp, { ws, service }: ApiContext): void {
  app.get(
    '/tasks',
    {
      schema: {
        tags,
        summary: 'Tasks of a project (or of all), orphaned ones included',
        querystring: TaskListQuerySchema,
        response: { 200: TaskListSchema, ...ERROR_RESPONSES },
      },
    },
    async ({ query }) =>
      await listTasks(ws, { ...inProject(query.project), ...(query.status ? { status: query.status } : {}) }),
  );

  app.get(
    '/tasks/:task',
    {
      schema: {
        tags,
        summary: 'One task (id or blueprint id) with its dependencies, history and latest evidence',
        params: TaskParamsSchema,
        querystring: ProjectQuerySchema,
        response: { 200: TaskShowSchema, ...ERROR_RESPONSES },
      },
    },
    async ({ params, query }) =>
      await showTask(ws, service, { ref: params.task, ...inProject(query.project) }),
  );

  const moves = {
    approve: 'Approve a task in pending_review',
    reopen: 'Reopen a task so it runs again',
    cancel: 'Cancel a task',
  } as const;
  for (const [action, summary] of Object.entries(moves) as [keyof typeof moves, string][]) {
    app.post(
      `/tasks/:task/${action}`,
      {
        schema: {
          tags,
          summary,
          params: TaskParamsSchema,
          // A POST without a body is fine: every field is optional.
          body: optionalBody(LifecycleRequestSchema),
          response: { 200: LifecycleMoveSchema, ...ERROR_RESPONSES },
        },
      },
      async ({ params, body }) =>
        await moveTask(ws, action, {
          ref: params.task,
          ...inProject(body.project),
          ...(body.reason === undefined ? {} : { reason: body.reason }),
        }),
    );
  }

  app.post(
    '/tasks/:task/verify',
    {
      schema: {
        tags,
        summary: "VERIFY again over the newest results of the task's run, with an override if given",
        params: TaskParamsSchema,
        body: optionalBody(ReverifyRequestSchema),
        response: { 200: VerifyAnswerSchema, ...ERROR_RESPONSES },
      },
    },
    async ({ params, body }) => {
      const { override } = body;
      if (override !== undefined) {
        // A criterion the task does not have is an unknown id here (the schema allows any number).
        const task = await resolveTask(ws.store, params.task, body.project);
        const count = task.acceptance_criteria.length;
        if (override.criterion > count) {
          throw new NotFoundError(
            `task ${task.blueprint_id} has no acceptance criterion ${override.criterion} (it has ${count})`,
          );
        }
      }
      return await verifyAgain(service, {
        ref: params.task,
        ...inProject(body.project),
        ...(override === undefined ? {} : { override }),
      });
    },
  );

  app.get(
    '/tasks/:task/dependencies',
    {
      schema: {
        tags,
        summary: "The task's upstream and downstream dependencies",
        params: TaskParamsSchema,
        querystring: ProjectQuerySchema,
        response: { 200: DependencyListSchema, ...ERROR_RESPONSES },
      },
    },
    async ({ params, query }) =>
      await listDependencies(ws, { ref: params.task, ...inProject(query.project) }),
  );

  app.post(
    '/tasks/:task/dependencies',
    {
      schema: {
        tags,
        summary: 'Make the task depend on another; refused with 409 when it would close a cycle',
        params: TaskParamsSchema,
        body: DependencyAddRequestSchema,
        response: { 201: DependencyChangeSchema, ...ERROR_RESPONSES },
      },
    },
    async ({ params, body }, reply) => {
      const change = await addDependency(ws, {
        task: params.task,
        dependsOn: body.depends_on,
        ...inProject(body.project),
        ...(body.policy === undefined ? {} : { policy: body.policy }),
        ...('artifact_key' in body ? { artifactKey: body.artifact_key } : {}),
      });
      return reply.code(201).send(change);
    },
  );

  app.delete(
    '/tasks/:task/dependencies/:dep',
    {
      schema: {
        tags,
        summary: 'Remove a dependency',
        params: DependencyParamsSchema,
        querystring: ProjectQuerySchema,
        response: { 200: DependencyRemovalSchema, ...ERROR_RESPONSES },
      },
    },
    async ({ params, query }) =>
      await removeDependency(ws, { task: params.task, dependsOn: params.dep, ...inProject(query.project) }),
  );
}
