// The event vocabulary of DESIGN §7. Events are persisted in the workspace database before they
// are published, carry a gapless per-workspace `seq`, and are the only way UIs learn about progress.

export {
  EVENT_TYPES,
  type EventData,
  type EventDraft,
  type EventOf,
  type EventType,
  type PenguinEvent,
} from '../contracts/event.js';
export type { ArtifactFile as EventArtifact } from '../contracts/phase-result.js';
export type { EventFilter } from '../contracts/store/events.js';
