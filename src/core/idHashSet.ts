/**
 * Writes two independent 32-bit hashes of `id` into `out[0]` and `out[1]` (together a 64-bit
 * fingerprint). Tests pass their own to force collisions.
 */
export type IdHasher = (id: string, out: Uint32Array) => void;

/** ES2024's String.prototype.isWellFormed / toWellFormed (in Node 20; not in this project's ES2023 lib). */
interface WellFormed {
  isWellFormed(): boolean;
  toWellFormed(): string;
}

/** `s` with each lone surrogate replaced by U+FFFD (the text TextEncoder encodes). */
function wellFormed(s: string): string {
  const w = s as unknown as WellFormed;
  return w.isWellFormed() ? s : w.toWellFormed();
}

/** murmur3's 32-bit finalizer: every input bit moves every output bit, so low bits index well. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * The IdHasher of the fallback path (see storedIds in src/db/requests.ts): FNV-1a and a
 * murmur3-style mix with another seed, both over the id's UTF-16 code units in one pass, each
 * finished with fmix32. A lone surrogate counts as U+FFFD, as the id is stored (TextEncoder), so
 * `x\ud800` in a log and a stored `x\ufffd` are the same id here as in `requests`.
 */
export const hashIdPair: IdHasher = (input, out) => {
  const id = wellFormed(input);
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    let k = Math.imul(c, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    b ^= Math.imul(k, 0x1b873593);
    b = (b << 13) | (b >>> 19);
    b = (Math.imul(b, 5) + 0xe6546b64) | 0;
  }
  out[0] = fmix32(a ^ id.length);
  out[1] = fmix32(b ^ id.length);
};

/**
 * `a * b` modulo 2^64 for 64-bit numbers given as 32-bit halves (unsigned), into out[0] (low)
 * and out[1] (high). The low halves' full product is built from 16-bit pieces (each exact in a
 * double); the cross terms only reach the high word, where Math.imul's low 32 bits are enough.
 */
function mul64(al: number, ah: number, bl: number, bh: number, out: Uint32Array): void {
  const a0 = al & 0xffff;
  const a1 = al >>> 16;
  const b0 = bl & 0xffff;
  const b1 = bl >>> 16;
  const p00 = a0 * b0;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  out[0] = ((mid & 0xffff) << 16) | (p00 & 0xffff);
  out[1] = a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16) + Math.imul(al, bh) + Math.imul(ah, bl);
}

/** DuckDB's hash multiplier 0xd6e8feb86659fd93 and length multiplier 0xc6a4a7935bd1e995, as halves. */
const M_LO = 0x6659fd93;
const M_HI = 0xd6e8feb8;
const LEN_LO = 0x5bd1e995;
const LEN_HI = 0xc6a4a793;
const product = new Uint32Array(2);

/**
 * DuckDB's `hash()` of a VARCHAR, byte for byte (DuckDB 1.5, src/common/types/hash.cpp: HashBytes,
 * then MurmurHash64) of a string of `len` UTF-8 bytes, given as little-endian 32-bit `words`
 * (the bytes zero-padded to a whole number of 8-byte blocks): the 64-bit hash's low word into
 * out[0], its high word into out[1]. Checked against DuckDB itself before pnyx relies on it (see
 * storedIds in src/db/requests.ts), and by a test.
 */
export function duckdbStringHash(words: Uint32Array, len: number, out: Uint32Array): void {
  // h = 0xe17a1465 ^ (len * LEN): len < 2^31, so its high half is 0.
  mul64(len, 0, LEN_LO, LEN_HI, product);
  let lo = (product[0]! ^ 0xe17a1465) >>> 0;
  let hi = product[1]!;
  // Whole 8-byte blocks, then the remaining 1-7 bytes zero-padded (the padding does that).
  const blocks = (len + 7) >>> 3;
  for (let k = 0; k < blocks; k++) {
    mul64((lo ^ words[2 * k]!) >>> 0, (hi ^ words[2 * k + 1]!) >>> 0, M_LO, M_HI, product);
    lo = product[0]!;
    hi = product[1]!;
  }
  // MurmurHash64: x ^= x >> 32; x *= M; x ^= x >> 32; x *= M; x ^= x >> 32.
  lo = (lo ^ hi) >>> 0;
  mul64(lo, hi, M_LO, M_HI, product);
  lo = (product[0]! ^ product[1]!) >>> 0;
  mul64(lo, product[1]!, M_LO, M_HI, product);
  out[0] = product[0]! ^ product[1]!;
  out[1] = product[1]!;
}

/** Scratch for hashIdDuckDb: the id's UTF-8, zero-padded to whole 8-byte blocks. */
let scratch = new Uint8Array(256);
let scratchWords = new Uint32Array(scratch.buffer);
const utf8 = new TextEncoder();

/**
 * The IdHasher that agrees with DuckDB's `hash(request_id)` of the stored id: its 64 bits as the
 * fingerprint. The id is hashed as it is stored, as UTF-8 written by TextEncoder (a lone surrogate
 * as U+FFFD), as RowEncoder writes it. Lets `requests`' fingerprints be computed by DuckDB
 * (multi-threaded, no string reaches JavaScript) instead of streaming every id as a string.
 */
export const hashIdDuckDb: IdHasher = (id, out) => {
  if (id.length * 3 + 8 > scratch.length) {
    scratch = new Uint8Array(Math.max(scratch.length * 2, id.length * 3 + 8));
    scratchWords = new Uint32Array(scratch.buffer);
  }
  let len = id.length;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    if (c > 0x7f) {
      len = utf8.encodeInto(id, scratch).written;
      break;
    }
    scratch[i] = c;
  }
  // Zero the padding of the last block (the bytes after len may hold a longer id's).
  const end = (len + 7) & ~7;
  for (let i = len; i < end; i++) scratch[i] = 0;
  duckdbStringHash(scratchWords, len, out);
};

/** Filled slots per capacity before the table doubles. */
const MAX_LOAD = 0.75;
const MIN_CAPACITY = 1024;

/**
 * A set of request ids kept as 64-bit fingerprints (8 bytes a slot) in one open-addressing
 * typed array with linear probing, doubled as it fills: 11 to 22 bytes per id (128 MB at 10M ids),
 * where a `Set<string>` of the ids costs ~60. Membership is by fingerprint, so `add` may take a new id
 * for one already there (a false positive, ~n²/2⁶⁵ over n ids); callers that must not lose a
 * row settle those exactly (see RequestWriter). Never a false negative.
 */
export class IdHashSet {
  /** Slot i is words 2i (first hash) and 2i+1 (second hash); 0,0 is an empty slot. */
  private slots: Uint32Array;
  private mask: number;
  private count = 0;
  private readonly hash = new Uint32Array(2);
  private readonly hasher: IdHasher;

  /** `expected`: ids about to be added (sizes the table once instead of doubling up to it). */
  constructor(opts: { expected?: number; hasher?: IdHasher } = {}) {
    this.hasher = opts.hasher ?? hashIdPair;
    let capacity = MIN_CAPACITY;
    while (capacity * MAX_LOAD < (opts.expected ?? 0)) capacity *= 2;
    this.slots = new Uint32Array(capacity * 2);
    this.mask = capacity - 1;
  }

  /** Distinct fingerprints held. */
  get size(): number {
    return this.count;
  }

  /** Slots in the table (a power of two). */
  get capacity(): number {
    return this.mask + 1;
  }

  /** Whether `id`'s fingerprint is in the set. */
  has(id: string): boolean {
    return !this.isEmpty(this.find(id));
  }

  /** Adds `id`; false when its fingerprint was already there (a repeat, or a collision). */
  add(id: string): boolean {
    const i = this.find(id);
    if (!this.isEmpty(i)) return false;
    this.slots[2 * i] = this.hash[0]!;
    this.slots[2 * i + 1] = this.hash[1]!;
    this.count += 1;
    if (this.count > this.capacity * MAX_LOAD) this.grow();
    return true;
  }

  /**
   * Adds fingerprints computed elsewhere, pairs of 32-bit words (first hash, second hash) as
   * `words` holds them, e.g. DuckDB's 64-bit `hash()` values read as little-endian words with
   * hashIdDuckDb as this set's hasher. A fingerprint already there is not added again.
   */
  addFingerprints(words: Uint32Array): void {
    const h = this.hash;
    for (let j = 0; j + 1 < words.length; j += 2) {
      h[0] = words[j]!;
      h[1] = words[j + 1]!;
      if (h[0] === 0 && h[1] === 0) h[1] = 1;
      const i = this.probe();
      if (!this.isEmpty(i)) continue;
      this.slots[2 * i] = h[0];
      this.slots[2 * i + 1] = h[1];
      this.count += 1;
      if (this.count > this.capacity * MAX_LOAD) this.grow();
    }
  }

  /** The slot holding `id`'s fingerprint, or the empty slot where it would go (fingerprint left in this.hash). */
  private find(id: string): number {
    this.fingerprint(id);
    return this.probe();
  }

  /** The slot holding the fingerprint in this.hash, or the empty slot where it would go. */
  private probe(): number {
    const a = this.hash[0]!;
    const b = this.hash[1]!;
    const s = this.slots;
    let i = a & this.mask;
    while (!(s[2 * i] === a && s[2 * i + 1] === b) && !this.isEmpty(i)) i = (i + 1) & this.mask;
    return i;
  }

  private isEmpty(i: number): boolean {
    return this.slots[2 * i] === 0 && this.slots[2 * i + 1] === 0;
  }

  /** Leaves `id`'s fingerprint in this.hash (no allocation per id). */
  private fingerprint(id: string): void {
    const h = this.hash;
    this.hasher(id, h);
    // 0,0 marks an empty slot: that one fingerprint is stored as 0,1 (one more possible collision).
    if (h[0] === 0 && h[1] === 0) h[1] = 1;
  }

  private grow(): void {
    const old = this.slots;
    const capacity = this.capacity * 2;
    const s = new Uint32Array(capacity * 2);
    const mask = capacity - 1;
    for (let j = 0; j < old.length; j += 2) {
      const a = old[j]!;
      const b = old[j + 1]!;
      if (a === 0 && b === 0) continue;
      let i = a & mask;
      while (s[2 * i] !== 0 || s[2 * i + 1] !== 0) i = (i + 1) & mask;
      s[2 * i] = a;
      s[2 * i + 1] = b;
    }
    this.slots = s;
    this.mask = mask;
  }
}
