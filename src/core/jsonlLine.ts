/**
 * Checks on one JSONL line's bytes, shared by the streaming reader (src/stages/sources.ts) and
 * the batch parser of ingest (src/stages/parseBatch.ts), so both reject the same lines with the
 * same messages. Pure: no I/O.
 */

/** A JSONL line longer than this is rejected without being held in memory whole. */
export const MAX_RECORD_BYTES = 64 * 1024 * 1024;
/** How much of an over-long line is kept for the rejects table. */
export const OVERLONG_KEPT_BYTES = 64 * 1024;

export function overlongReason(lineBytes: number): string {
  return `line of ${lineBytes} bytes is longer than the ${MAX_RECORD_BYTES / 1024 / 1024} MiB limit per record`;
}

/** `at` is the 0-based offset of the first bad byte. */
export function invalidUtf8Reason(at: number): string {
  return `invalid UTF-8 at byte ${at + 1} of the line (the file must be UTF-8)`;
}

/** Byte offset (0-based) of the first byte that is not valid UTF-8, or -1. */
export function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    let n: number;
    let min: number;
    if (c < 0x80) {
      i += 1;
      continue;
    } else if (c >= 0xc2 && c <= 0xdf) [n, min] = [1, 0x80];
    else if (c >= 0xe0 && c <= 0xef) [n, min] = [2, 0x800];
    else if (c >= 0xf0 && c <= 0xf4) [n, min] = [3, 0x10000];
    else return i;
    let cp = c & (0x3f >> n);
    for (let k = 1; k <= n; k++) {
      const d = b[i + k];
      if (d === undefined || (d & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (d & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += n + 1;
  }
  return -1;
}

export function startsWithBom(b: Uint8Array): boolean {
  return b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf;
}
