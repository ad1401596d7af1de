/**
 * parseTimestamp as it was before the parse-speed work (issue 7), the reference for the property
 * test of its fast path (test/core/fields.timestamp.test.ts).
 */
import { RecordError } from '../../../src/core/errors.js';
import { describe, excerptOf } from '../../../src/core/adapters/fields.js';

const EPOCH_MS_MIN = Date.UTC(2000, 0, 1);
const EPOCH_MS_MAX = Date.UTC(2100, 0, 1);

/**
 * Timestamps as logs write them: ISO 8601 (with or without zone; no zone = UTC),
 * `YYYY-MM-DD HH:MM:SS[.fff]`, epoch seconds, epoch milliseconds (number or numeric string),
 * and RFC 2822 (`Tue, 18 Nov 2025 09:12:00 GMT`).
 */
export function referenceParseTimestamp(v: unknown, field: string): Date {
  let ms: number;
  if (typeof v === 'number' || (typeof v === 'string' && /^\d{9,13}(\.\d+)?$/.test(v.trim()))) {
    const n = typeof v === 'number' ? v : Number(v);
    ms = n < 1e11 ? n * 1000 : n;
  } else if (typeof v === 'string') {
    let s = v.trim();
    if (/^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(s)) s = s.replace(' ', 'T') + 'Z';
    else if (/^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}/.test(s)) s = s.replace(' ', 'T').replace(/ ?([+-]\d{2}):?(\d{2})$/, '$1:$2').replace(/ ?UTC$/, 'Z');
    else if (/^\d{4}-\d{2}-\d{2}$/.test(s)) s += 'T00:00:00Z';
    ms = Date.parse(s);
  } else {
    throw new RecordError(field, `expected a timestamp, got ${describe(v)}`);
  }
  if (!Number.isFinite(ms)) throw new RecordError(field, `unreadable timestamp (${describe(v)})`, excerptOf(v));
  if (ms < EPOCH_MS_MIN || ms > EPOCH_MS_MAX) {
    throw new RecordError(field, `timestamp out of range (${typeof v === 'number' ? v : 'before 2000 or after 2100'})`, excerptOf(v));
  }
  return new Date(ms);
}


