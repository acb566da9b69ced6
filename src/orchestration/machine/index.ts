// The pure ITUV machine (DESIGN §6): the one place the rules of a run live. Hosts (the native engine
// today, a Temporal workflow later) feed it inputs and carry out its effects. Nothing reachable from
// here imports Node (test/orchestration/machine/imports.test.ts walks the graph), because Temporal's
// workflow bundler refuses Node modules.
import {
  FeedbackPayloadSchema,
  ResumePayloadSchema,
  ReverifyPayloadSchema,
  type SignalName,
} from '../../contracts/workflow.js';
import type { SignalInput } from './types.js';

export * from './rules.js';
export * from './step.js';
export * from './types.js';

/**
 * A stored signal as machine input. Payloads are checked when a signal is sent; one that no longer
 * parses (written by another version, edited by hand) gives null and the signal is dropped.
 */
export function parseSignal(name: SignalName, payload: unknown): SignalInput | null {
  switch (name) {
    case 'pause':
    case 'cancel':
      return { name };
    case 'resume': {
      const parsed = ResumePayloadSchema.safeParse(payload ?? null);
      return { name, pause_after_phase: parsed.success && parsed.data?.pause_after_phase === true };
    }
    case 'inject_feedback': {
      const parsed = FeedbackPayloadSchema.safeParse(payload);
      return parsed.success ? { name, text: parsed.data } : null;
    }
    case 'reverify': {
      const parsed = ReverifyPayloadSchema.safeParse(payload);
      return parsed.success ? { name, verdict: parsed.data.verdict, override: parsed.data.override } : null;
    }
  }
}
