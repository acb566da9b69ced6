// The run's record on disk: transcript.json (every step: what ran, its output, http exchanges,
// timings) and service.log. Both are written already masked.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { NetworkIsolation } from '../results.js';

/** Outputs longer than this are cut in the transcript (the head is kept). */
export const MAX_RECORDED_OUTPUT = 256 * 1024;

export interface HttpExchange {
  request: { method: string; url: string; headers: Record<string, string>; body: string | null };
  response: { status: number; headers: Record<string, string>; body: string } | null;
}

export interface TranscriptStep {
  index: number;
  kind: 'shell' | 'http' | 'python' | 'node';
  name: string | null;
  /** What actually ran, after `{{ }}` expansion. */
  ran: string;
  started_at: string;
  duration_ms: number;
  passed: boolean;
  failure: string | null;
  exit_code?: number | null;
  timed_out?: boolean;
  stdout?: string;
  stderr?: string;
  http?: HttpExchange;
  /** Variables captured by this step. */
  captured?: Record<string, string>;
}

export interface TranscriptService {
  command: string;
  cwd: string;
  ready: string | null;
  pid: number | null;
  ready_ok: boolean;
  exit_code: number | null;
  signal: string | null;
}

export interface Transcript {
  recipe: string;
  started_at: string;
  finished_at: string;
  passed: boolean;
  failure: string | null;
  network: NetworkIsolation;
  /** Names (never values) of the variables the recipe's processes received. */
  env_names: string[];
  service: TranscriptService | null;
  steps: TranscriptStep[];
  /** Artifact matches that were not collected, and why (e.g. a text file too large to mask). */
  artifacts_left_out?: { name: string; reason: string }[];
}

export function clip(text: string): string {
  if (text.length <= MAX_RECORDED_OUTPUT) return text;
  return `${text.slice(0, MAX_RECORDED_OUTPUT)}\n[... ${text.length - MAX_RECORDED_OUTPUT} more characters cut]`;
}

export const TRANSCRIPT_FILE = 'transcript.json';
export const SERVICE_LOG_FILE = 'service.log';

export async function writeTranscript(dir: string, transcript: Transcript): Promise<string> {
  const path = join(dir, TRANSCRIPT_FILE);
  await writeFile(path, `${JSON.stringify(transcript, null, 2)}\n`, 'utf8');
  return path;
}

export async function writeServiceLog(dir: string, log: string): Promise<string> {
  const path = join(dir, SERVICE_LOG_FILE);
  await writeFile(path, log, 'utf8');
  return path;
}
