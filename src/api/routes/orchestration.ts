// `/orchestration/config` (the settings runs follow, secrets masked) and `/orchestration/health` (the
// backend's answer; the one route open without a token, for load balancers and probes), and
// `/status`, the workspace at a glance as `penguin status` shows it.
import { OrchestrationConfigSchema } from '../../contracts/api.js';
import { WorkspaceStatusSchema } from '../../contracts/views.js';
import { BackendHealthSchema } from '../../contracts/workflow.js';
import { workspaceStatus } from '../../app/status.js';
import { maskSecrets } from '../mask.js';
import { API_PREFIX, ERROR_RESPONSES, type ApiApp, type ApiContext } from './shared.js';

export const HEALTH_PATH = `${API_PREFIX}/orchestration/health`;

const tags = ['orchestration'];

export function registerOrchestrationRoutes(app: ApiApp, { ws, service }: ApiContext): void {
  app.get(
    '/orchestration/config',
    {
      schema: {
        tags,
        summary: 'The orchestration and run mode settings (secret-looking values masked)',
        response: { 200: OrchestrationConfigSchema, ...ERROR_RESPONSES },
      },
    },
    () => {
      const { orchestration, runmode } = ws.config;
      return {
        backend: orchestration.backend,
        orchestration: maskSecrets(orchestration),
        runmode: maskSecrets(runmode),
      };
    },
  );

  app.get(
    '/orchestration/health',
    {
      schema: {
        tags,
        summary: 'Whether the orchestration backend works (no token needed)',
        security: [],
        response: { 200: BackendHealthSchema, ...ERROR_RESPONSES },
      },
    },
    async () => await service.client.health(),
  );

  app.get(
    '/status',
    {
      schema: {
        tags,
        summary: "The workspace at a glance: each project's tasks by status, live workflows",
        response: { 200: WorkspaceStatusSchema, ...ERROR_RESPONSES },
      },
    },
    async () => await workspaceStatus(ws, service),
  );
}
