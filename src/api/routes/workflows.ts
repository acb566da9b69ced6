// `/workflows`: list, start (the server hosts the run), one run's status, and steering it: pause,
// resume, cancel, feedback, or the generic signal. Each route calls the workflow use case the CLI
// calls (src/app/workflows.ts) and answers its contract document.
import { z } from 'zod';
import {
  FeedbackRequestSchema,
  SignalRequestSchema,
  StartWorkflowRequestSchema,
  WorkflowIdParamsSchema,
  WorkflowListQuerySchema,
} from '../../contracts/api.js';
import { WorkflowListSchema, WorkflowStatusSchema } from '../../contracts/workflow.js';
import {
  feedWorkflow,
  listWorkflows,
  resumeWorkflow,
  signalWorkflow,
  startWorkflow,
  workflowStatus,
} from '../../app/workflows.js';
import { ERROR_RESPONSES, type ApiApp, type ApiContext } from './shared.js';

const tags = ['workflows'];

export function registerWorkflowRoutes(app: ApiApp, { service }: ApiContext): void {
  app.get(
    '/workflows',
    {
      schema: {
        tags,
        summary: 'List workflows, by project and state',
        querystring: WorkflowListQuerySchema,
        response: { 200: WorkflowListSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) =>
      await listWorkflows(service, { projectKey: request.query.project, status: request.query.status }),
  );

  app.post(
    '/workflows',
    {
      schema: {
        tags,
        summary: 'Start a workflow for a task; this server hosts it',
        body: StartWorkflowRequestSchema,
        response: { 201: WorkflowStatusSchema, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const { task, project, feedback } = request.body;
      // Detached: the run is queued and this server's host runs it, whatever the request does next.
      const status = await startWorkflow(service, {
        ref: task,
        ...(project === undefined ? {} : { projectKey: project }),
        ...(feedback === undefined ? {} : { feedback }),
        detach: true,
        origin: 'api',
      });
      return reply.code(201).send(status);
    },
  );

  app.get(
    '/workflows/:id',
    {
      schema: {
        tags,
        summary: 'One workflow: state, phase, iteration, progress and its phases',
        params: WorkflowIdParamsSchema,
        response: { 200: WorkflowStatusSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => await workflowStatus(service, request.params.id),
  );

  const steer = {
    pause: 'Pause at the next phase boundary',
    resume: 'Resume a paused or waiting workflow',
    cancel: 'Cancel; kills the running phase',
  } as const;
  for (const [name, summary] of Object.entries(steer) as [keyof typeof steer, string][]) {
    app.post(
      `/workflows/:id/${name}`,
      {
        schema: {
          tags,
          summary,
          params: WorkflowIdParamsSchema,
          response: { 200: WorkflowStatusSchema, ...ERROR_RESPONSES },
        },
      },
      async (request) => await sendSignal(request.params.id, { name }),
    );
  }

  app.post(
    '/workflows/:id/feedback',
    {
      schema: {
        tags,
        summary: 'Feedback for the next IMPLEMENT; answers a waiting workflow',
        params: WorkflowIdParamsSchema,
        body: FeedbackRequestSchema,
        response: { 200: WorkflowStatusSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => await feedWorkflow(service, request.params.id, request.body.text),
  );

  app.post(
    '/workflows/:id/signal',
    {
      schema: {
        tags,
        summary: 'Send a signal: pause, resume, cancel or inject_feedback (with text)',
        params: WorkflowIdParamsSchema,
        body: SignalRequestSchema,
        response: { 200: WorkflowStatusSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => await sendSignal(request.params.id, request.body),
  );

  async function sendSignal(id: string, signal: z.infer<typeof SignalRequestSchema>) {
    switch (signal.name) {
      case 'pause':
      case 'cancel':
        return await signalWorkflow(service, id, signal.name);
      case 'resume':
        // This server's host picks the run up again.
        return await resumeWorkflow(service, id, { detach: true });
      case 'inject_feedback':
        return await feedWorkflow(service, id, signal.text);
    }
  }
}
