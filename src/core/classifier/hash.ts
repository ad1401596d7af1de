/** FNV-1a offset basis and prime: the token hash of the classifier (32-bit, lowercase input). */
export const FNV_OFFSET = 0x811c9dc5;
export const FNV_PRIME = 0x01000193;

/** Feature space: hashed unigrams, bigrams and hand-built features share 2^FEATURE_BITS buckets. */
export const FEATURE_BITS = 16;
export const FEATURE_COUNT = 1 << FEATURE_BITS;
const FEATURE_MASK = FEATURE_COUNT - 1;

/** Hash of a token exactly as the tokenizer computes it (the string must already be lowercase). */
export function hashToken(s: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME);
  return h >>> 0 || 1;
}

/** Combines two token hashes into the hash of the bigram. */
export function bigramHash(prev: number, cur: number): number {
  return (Math.imul(prev ^ 0x9e3779b9, 0x85ebca6b) ^ cur) >>> 0 || 1;
}

/** Bucket of a hash in the feature space (murmur-style finalizer so low bits are well mixed). */
export function bucketOf(h: number): number {
  let x = h;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  return x & FEATURE_MASK;
}
