// Typed errors. The CLI and the HTTP API turn them into one clear sentence and an exit code or
// status; anything that is not a PenguinError is a bug and is shown with its stack under --debug.

/** Exit codes of DESIGN §8, and the shell's convention for a run stopped by Ctrl-C. */
export const EXIT_OK = 0;
export const EXIT_CHECK_FAILED = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERRUPTED = 130;

export class PenguinError extends Error {
  /** Exit code for the CLI: 2 for bad usage or input, 1 for a failed check. */
  readonly exitCode: number;
  /** HTTP status for the API. */
  readonly httpStatus: number;

  constructor(message: string, options: { exitCode?: number; httpStatus?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.exitCode = options.exitCode ?? EXIT_USAGE;
    this.httpStatus = options.httpStatus ?? 400;
  }
}

/** Bad usage or bad input: a flag, a file, a config key. */
export class UsageError extends PenguinError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { exitCode: EXIT_USAGE, httpStatus: 400, ...options });
  }
}

/** A task, project, workflow or recipe that does not exist. */
export class NotFoundError extends PenguinError {
  constructor(message: string) {
    super(message, { exitCode: EXIT_USAGE, httpStatus: 404 });
  }
}

/** The request conflicts with current state (an invalid transition, a cycle, a busy workflow). */
export class ConflictError extends PenguinError {
  constructor(message: string) {
    super(message, { exitCode: EXIT_USAGE, httpStatus: 409 });
  }
}

/** The thing checked failed: lint errors, a gate, a recipe. */
export class CheckFailedError extends PenguinError {
  constructor(message: string) {
    super(message, { exitCode: EXIT_CHECK_FAILED, httpStatus: 422 });
  }
}

/** A foreground run stopped by a signal (Ctrl-C, TERM); the work it hosted stays resumable. */
export class InterruptedError extends PenguinError {
  constructor(message: string) {
    super(message, { exitCode: EXIT_INTERRUPTED, httpStatus: 503 });
  }
}

/** The workspace store cannot be used as it is: missing, damaged, or read-only for a write. */
export class StoreError extends PenguinError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { exitCode: EXIT_CHECK_FAILED, httpStatus: 503, ...options });
  }
}
