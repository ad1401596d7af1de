/**
 * Writes two independent 32-bit hashes of `id` into `out[0]` and `out[1]` (together a 64-bit
 * fingerprint). Tests pass their own to force collisions.
 */
export type IdHasher = (id: string, out: Uint32Array) => void;

/** murmur3's 32-bit finalizer: every input bit moves every output bit, so low bits index well. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * The default IdHasher: FNV-1a and a murmur3-style mix with another seed, both over the id's
 * UTF-16 code units in one pass, each finished with fmix32.
 */
export const hashIdPair: IdHasher = (id, out) => {
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

  /** The slot holding `id`'s fingerprint, or the empty slot where it would go (fingerprint left in this.hash). */
  private find(id: string): number {
    this.fingerprint(id);
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
