/**
 * Deterministic sampling by request id: a request is kept when the 32-bit FNV-1a hash of its id,
 * as a fraction of 2^32, is below the rate. The same id is kept or dropped on every run, on every
 * machine, whichever file carries it, so re-runs and overlapping files sample the same requests.
 */
export function sampleFraction(requestId: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < requestId.length; i++) {
    h ^= requestId.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // A final avalanche so ids that differ in their last characters spread over the whole range.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return (h >>> 0) / 4294967296;
}

export function isSampled(requestId: string, rate: number): boolean {
  return rate >= 1 || sampleFraction(requestId) < rate;
}

/** Parses a --sample value: a fraction in (0, 1], or a percentage like "10%". */
export function parseSampleRate(text: string): number | undefined {
  const s = text.trim();
  const m = /^(\d+(?:\.\d+)?|\.\d+)(%?)$/.exec(s);
  if (!m) return undefined;
  const v = Number(m[1]) / (m[2] ? 100 : 1);
  return v > 0 && v <= 1 ? v : undefined;
}
