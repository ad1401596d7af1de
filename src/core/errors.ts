/**
 * Typed errors. Anything a user can cause (bad input, bad flags, a locked database) is a
 * PnyxError with a code and a one-line message; the CLI entry point catches them once,
 * prints the message and sets the exit code. Anything else is a bug and shows a stack
 * trace only with --debug.
 */
export type PnyxErrorCode =
  | 'usage'
  | 'input'
  | 'no_data'
  | 'db_locked'
  | 'db_corrupt'
  | 'db_io'
  | 'catalog'
  | 'network'
  | 'config'
  | 'not_found'
  | 'gate';

/** Exit codes by error code; `gate` is used by --fail-on in CI. */
export const EXIT_CODES: Record<PnyxErrorCode, number> = {
  usage: 2,
  input: 3,
  no_data: 4,
  db_locked: 5,
  db_corrupt: 6,
  db_io: 7,
  catalog: 8,
  network: 9,
  config: 10,
  not_found: 11,
  gate: 20,
};

export class PnyxError extends Error {
  readonly code: PnyxErrorCode;
  constructor(code: PnyxErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PnyxError';
    this.code = code;
  }
  get exitCode(): number {
    return EXIT_CODES[this.code];
  }
}

/** A problem with one field of one input record: becomes a row in `rejects`. */
export class RecordError extends Error {
  readonly field: string;
  /**
   * A short quote of the offending value when it is text from the log. The message itself
   * never quotes log text: terminals show the excerpt only with --show-text.
   */
  readonly excerpt: string | undefined;
  constructor(field: string, reason: string, excerpt?: string) {
    super(reason);
    this.name = 'RecordError';
    this.field = field;
    this.excerpt = excerpt;
  }
}
