import { Buffer } from 'node:buffer';
import { FEATURE_COUNT, FNV_OFFSET, FNV_PRIME, bigramHash, bucketOf, hashToken } from './hash.js';
import { CUE_BUCKET_BITS, KW, RULE_ONLY_FLAGS, cueFlags } from './keywords.js';
import { SCAN_CLEAR_BITS, SCAN_END_SEGMENT, SCAN_FLUSH_BEFORE, STATE, kernelFor, type ClassifierEngine, type EngineOptions, type NativeKernel } from './native.js';

/**
 * The classifier's single pass over the characters of a prompt.
 *
 * One loop reads each character once and feeds: a tokenizer (lowercase word tokens, digit runs
 * folded into one <num> token, each CJK character a token) whose unigram and bigram hashes become
 * bucketed features; a keyword table lookup per token and bigram; and cheap structural counters
 * (lines, numbered/bulleted/multiple-choice line starts, code fences, braces, table pipes, digits,
 * operators, question marks, scripts). Very long texts are read through a bounded window: the first
 * HEAD_CHARS and the last TAIL_CHARS characters; the token estimate still counts the whole text.
 */
export const HEAD_CHARS = 6000;
export const TAIL_CHARS = 2000;

export interface StructureCounts {
  /** Characters of the whole text (not only the window). */
  chars: number;
  /** Characters actually read. */
  windowChars: number;
  /** True when the text was longer than the window and its middle was skipped. */
  windowed: boolean;
  lines: number;
  tokens: number;
  questionMarks: number;
  numberedItems: number;
  bulletItems: number;
  choiceItems: number;
  fences: number;
  backticks: number;
  braces: number;
  pipeLines: number;
  digits: number;
  operators: number;
  emails: number;
  longDigitRuns: number;
  /** Latin letters, and letters of other scripts (for language detection). */
  latin: number;
  cyrillic: number;
  han: number;
  kana: number;
  hangul: number;
  arabic: number;
  devanagari: number;
  greek: number;
  hebrew: number;
  thai: number;
  endsWithQuestion: boolean;
}

export interface TextFeatures {
  /** Distinct n-gram buckets (each has value 1/sqrt(ngramCount)). Valid up to ngramCount. */
  ngrams: Int32Array;
  ngramCount: number;
  /** Hand-built feature buckets (value 1 each). Valid up to handCount. */
  hand: Int32Array;
  handCount: number;
  /** OR of all keyword flags seen, and per-flag hit counts (index = bit number). */
  flags: number;
  flagCounts: Int32Array;
  s: StructureCounts;
  /** Script counts, length (`counts.chars`) and keyword-flag counts of the last segment (the latest message) alone. */
  last: { counts: StructureCounts; flagCounts: Int32Array };
  /** Keyword-flag counts, e-mail addresses and long digit runs of the first segment alone (the system prompt, when there is one). */
  first: { flagCounts: Int32Array; emails: number; longDigitRuns: number };
  /**
   * When the first segment was replayed (see FirstSegment): the same object for every request
   * with that first segment, whose `ngrams` are the first `ngrams.length` entries of `ngrams`
   * above. Lets a scorer keep per-segment sums. Null when the first segment was scanned.
   */
  replayed: { readonly ngrams: Int32Array } | null;
}

/**
 * Hashes are handled as int32 inside the extractor (the same 32 bits as the uint32 values of
 * hash.ts: every use is bitwise): V8 keeps int32 locals and fields in registers, while a uint32
 * above 2^31 is a double, and mixing the two in the hot loop made every character slower.
 */
const OFFSET = FNV_OFFSET | 0;
const NUM_HASH = hashToken('<num>') | 0;
const FIRST_SALT = 0x5bd1e995;
const LAST_FIRST_SALT = 0x27d4eb2f;

/** Bucket of a named hand-built feature, e.g. handBucket('len', 3). */
export function handBucket(name: string, value: string | number): number {
  return bucketOf(hashToken(`\u00a7${name}:${value}`));
}

/** Precomputed buckets of a hand-built feature's values 0..n-1 (no hashing per prompt). */
export function handBuckets(name: string, n: number): Int32Array {
  return Int32Array.from({ length: n }, (_, v) => handBucket(name, v));
}

const EDGES = {
  len: [40, 120, 300, 800, 2000, 5000, 12000],
  lines: [2, 4, 8, 20, 60],
  q: [1, 2, 4],
  numbered: [1, 3, 6],
  bullets: [1, 3, 6],
  choices: [2, 4],
  fences: [1, 2],
  braces: [1, 4, 12],
  pipes: [1, 3],
  digits: [0.005, 0.02, 0.06, 0.15],
  ops: [0.002, 0.01, 0.03],
} as const;
type HandName = keyof typeof EDGES;
const HAND = Object.fromEntries(Object.entries(EDGES).map(([k, e]) => [k, handBuckets(k, e.length + 1)])) as Record<HandName, Int32Array>;
const BIAS_BUCKET = handBucket('bias', 1);
const ENDQ_BUCKETS = handBuckets('endq', 2);

function bucketize(n: number, edges: readonly number[]): number {
  let i = 0;
  while (i < edges.length && n >= edges[i]!) i++;
  return i;
}

/** True when the last non-blank character of the text is a question mark. */
function endsWithQuestion(segments: readonly string[]): boolean {
  for (let si = segments.length - 1; si >= 0; si--) {
    const t = segments[si]!;
    for (let i = t.length - 1; i >= 0; i--) {
      const c = t.charCodeAt(i);
      if (c !== 32 && c !== 10 && c !== 9 && c !== 13) return c === 63 || c === 0xff1f;
    }
  }
  return false;
}

const FLAG_NAMES = Object.entries(KW) as Array<[string, number]>;
const FLAG_BUCKETS = new Int32Array(32);
for (const [k, bit] of FLAG_NAMES) FLAG_BUCKETS[31 - Math.clz32(bit)] = handBucket('kw', k);

/** Sets the script letter counts of `to` to those of `a` minus those of `b`. */
function scriptsDiff(to: StructureCounts, a: StructureCounts, b: StructureCounts): void {
  to.latin = a.latin - b.latin;
  to.cyrillic = a.cyrillic - b.cyrillic;
  to.han = a.han - b.han;
  to.kana = a.kana - b.kana;
  to.hangul = a.hangul - b.hangul;
  to.arabic = a.arabic - b.arabic;
  to.devanagari = a.devanagari - b.devanagari;
  to.greek = a.greek - b.greek;
  to.hebrew = a.hebrew - b.hebrew;
  to.thai = a.thai - b.thai;
}

/** Copies every count of `from` into `to` (in place: no allocation). */
function copyCounts(to: StructureCounts, from: Readonly<StructureCounts>): void {
  to.chars = from.chars;
  to.windowChars = from.windowChars;
  to.windowed = from.windowed;
  to.lines = from.lines;
  to.tokens = from.tokens;
  to.questionMarks = from.questionMarks;
  to.numberedItems = from.numberedItems;
  to.bulletItems = from.bulletItems;
  to.choiceItems = from.choiceItems;
  to.fences = from.fences;
  to.backticks = from.backticks;
  to.braces = from.braces;
  to.pipeLines = from.pipeLines;
  to.digits = from.digits;
  to.operators = from.operators;
  to.emails = from.emails;
  to.longDigitRuns = from.longDigitRuns;
  to.latin = from.latin;
  to.cyrillic = from.cyrillic;
  to.han = from.han;
  to.kana = from.kana;
  to.hangul = from.hangul;
  to.arabic = from.arabic;
  to.devanagari = from.devanagari;
  to.greek = from.greek;
  to.hebrew = from.hebrew;
  to.thai = from.thai;
  to.endsWithQuestion = from.endsWithQuestion;
}

function emptyCounts(): StructureCounts {
  return {
    chars: 0, windowChars: 0, windowed: false, lines: 1, tokens: 0, questionMarks: 0, numberedItems: 0, bulletItems: 0, choiceItems: 0,
    fences: 0, backticks: 0, braces: 0, pipeLines: 0, digits: 0, operators: 0, emails: 0, longDigitRuns: 0,
    latin: 0, cyrillic: 0, han: 0, kana: 0, hangul: 0, arabic: 0, devanagari: 0, greek: 0, hebrew: 0, thai: 0,
    endsWithQuestion: false,
  };
}

const ZERO_COUNTS: Readonly<StructureCounts> = emptyCounts();

// Line-start states for list detection.
const LS_NONE = 0; // not at a line start (or the line start was decided)
const LS_START = 1; // at a line start, skipping indentation
const LS_DIGITS = 2; // read digits at a line start
const LS_MARK = 3; // read a bullet mark (- * •), expecting a space
const LS_LETTER = 4; // read one capital letter A-H, expecting ) or .

/**
 * What scanning a request's first segment leaves behind: the counts, keyword flags, n-gram
 * buckets (in the order first seen) and tokenizer state after it. The first segment is scanned
 * from the fresh state, so these depend on its text alone. Only kept for requests that are not
 * windowed (their first segment is read whole).
 */
interface FirstSegment {
  counts: StructureCounts;
  flags: number;
  flagCounts: Int32Array;
  ngrams: Int32Array;
  prev: number;
  firstToken: number;
  segFirstToken: number;
  backtickRun: number;
}

/** Distinct first segments an extractor keeps (it forgets them all when full). */
export const FIRST_SEGMENTS_KEPT = 256;

/**
 * Reusable extractor: holds scratch buffers so extracting allocates almost nothing.
 * The returned TextFeatures is overwritten by the next call; copy what you keep.
 */
export class FeatureExtractor {
  /**
   * Two bitsets over the buckets, interleaved word by word so one cache line serves both:
   * [2w] buckets already in out.ngrams (cleared after each extract), [2w+1] CUE_BUCKET_BITS.
   */
  private readonly bits = new Int32Array(FEATURE_COUNT >>> 4).map((_, i) => (i & 1 ? CUE_BUCKET_BITS[i >>> 1]! : 0));
  /** Script counts and keyword-flag counts before the last segment (`last` = total - these). */
  private readonly base = emptyCounts();
  private readonly baseFlagCounts = new Int32Array(32);
  /** Code units of the text being scanned, and the same memory as a Buffer (to write strings into). */
  private u16 = new Uint16Array(HEAD_CHARS + TAIL_CHARS + 2);
  private u16Bytes = Buffer.from(this.u16.buffer);
  private readonly out: TextFeatures = {
    ngrams: new Int32Array(4096),
    ngramCount: 0,
    hand: new Int32Array(64),
    handCount: 0,
    flags: 0,
    flagCounts: new Int32Array(32),
    s: emptyCounts(),
    last: { counts: emptyCounts(), flagCounts: new Int32Array(32) },
    first: { flagCounts: new Int32Array(32), emails: 0, longDigitRuns: 0 },
    replayed: null,
  };

  /** First segments by text: null when seen once, what scanning it left once seen twice. */
  private readonly firstSegments = new Map<string, FirstSegment | null>();

  // Tokenizer state (kept across segments).
  private h = OFFSET;
  private tokLen = 0;
  private tokDigits = 0;
  private prev = 0;
  private firstToken = 0;
  private segFirstToken = 0;
  private lineState = LS_START;
  private lineHasPipe = false;
  private backtickRun = 0;

  /** The native kernel when this extractor runs it (null: the JavaScript scan), and its state array. */
  private readonly kernel: NativeKernel | null;
  private readonly st: Int32Array;

  constructor(options: EngineOptions = {}) {
    this.kernel = kernelFor(options.engine);
    this.st = new Int32Array(this.kernel ? STATE.length : 0);
    // The kernel counts keyword hits in the state array: the output's counts are a view of it.
    if (this.kernel) this.out.flagCounts = this.st.subarray(STATE.flagCounts, STATE.flagCounts + 32);
  }

  get engine(): ClassifierEngine {
    return this.kernel ? 'native' : 'js';
  }

  extract(segments: readonly string[], extraHand: readonly number[] = []): TextFeatures {
    const out = this.out;
    out.ngramCount = 0;
    out.handCount = 0;
    out.flags = 0;
    out.flagCounts.fill(0);
    out.replayed = null;
    copyCounts(out.s, ZERO_COUNTS);
    this.h = OFFSET;
    this.tokLen = 0;
    this.tokDigits = 0;
    this.prev = 0;
    this.firstToken = 0;
    this.segFirstToken = 0;
    this.lineState = LS_START;
    this.lineHasPipe = false;
    this.backtickRun = 0;

    let total = 0;
    for (const seg of segments) total += seg.length + 1;
    out.s.chars = Math.max(0, total - 1);
    const windowed = total > HEAD_CHARS + TAIL_CHARS;
    out.s.windowed = windowed;
    let pos = 0;
    const tailStart = total - TAIL_CHARS;
    const base = this.base;
    scriptsDiff(base, ZERO_COUNTS, ZERO_COUNTS);
    const baseFlags = this.baseFlagCounts.fill(0);
    out.first.flagCounts.fill(0);
    out.first.emails = 0;
    out.first.longDigitRuns = 0;
    for (let si = 0; si < segments.length; si++) {
      const seg = segments[si]!;
      if (si === segments.length - 1) {
        scriptsDiff(base, out.s, ZERO_COUNTS);
        baseFlags.set(out.flagCounts);
      }
      this.segFirstToken = 0;
      const segStart = pos;
      const segEnd = pos + seg.length;
      // A first segment read whole (see FirstSegment), and what is known of its text.
      const first = si === 0 && !windowed && segments.length > 1;
      const known = first ? this.firstSegments.get(seg) : undefined;
      if (known) this.replay(known);
      else {
        if (this.kernel) this.readNative(seg, segStart, windowed, tailStart, si === segments.length - 1);
        else if (!windowed) this.scan(seg, 0, seg.length);
        else {
          if (segStart < HEAD_CHARS) this.scan(seg, 0, Math.min(seg.length, HEAD_CHARS - segStart));
          if (segEnd > tailStart) {
            // tailStart > HEAD_CHARS here, so the tail never overlaps the head.
            this.flushToken();
            this.prev = 0;
            this.scan(seg, Math.max(0, tailStart - segStart), seg.length);
          }
        }
        if (!this.kernel) {
          this.flushToken();
          this.newline();
        }
        if (first) this.remember(seg, known === null);
      }
      if (si === 0) {
        out.first.flagCounts.set(out.flagCounts);
        out.first.emails = out.s.emails;
        out.first.longDigitRuns = out.s.longDigitRuns;
      }
      pos = segEnd + 1;
    }
    out.s.endsWithQuestion = endsWithQuestion(segments);
    const last = out.last;
    for (let b = 0; b < 32; b++) last.flagCounts[b] = out.flagCounts[b]! - baseFlags[b]!;
    scriptsDiff(last.counts, out.s, base);
    last.counts.chars = segments.at(-1)?.length ?? 0;
    this.finish(extraHand);
    // The kernel cleared the bits at the end of the last segment (never a replayed one).
    if (!this.kernel) for (let i = 0, bits = this.bits, ng = out.ngrams, n = out.ngramCount; i < n; i++) bits[(ng[i]! >>> 5) << 1] = 0;
    return out;
  }

  /**
   * Notes a first segment just scanned: products send the same system prompt with every request
   * of a feature, so from its second sighting on its text is kept with what scanning it left
   * (replayed in place of the scan from then on); a text seen once is only noted, so unique
   * texts cost one lookup. Forgets all when FIRST_SEGMENTS_KEPT texts are noted.
   */
  private remember(seg: string, seenBefore: boolean): void {
    if (!seenBefore && this.firstSegments.size >= FIRST_SEGMENTS_KEPT) this.firstSegments.clear();
    this.firstSegments.set(seg, seenBefore ? this.capture() : null);
  }

  /** The state after the first segment (scanned, token flushed, line ended). */
  private capture(): FirstSegment {
    const out = this.out;
    const counts = emptyCounts();
    copyCounts(counts, out.s);
    return {
      counts,
      flags: out.flags,
      flagCounts: out.flagCounts.slice(),
      ngrams: out.ngrams.slice(0, out.ngramCount),
      prev: this.prev,
      firstToken: this.firstToken,
      segFirstToken: this.segFirstToken,
      backtickRun: this.backtickRun,
    };
  }

  /** Sets the state a scan of the first segment would leave (the state before it is the fresh one). */
  private replay(seg: FirstSegment): void {
    const out = this.out;
    out.replayed = seg;
    const { chars, windowed } = out.s;
    copyCounts(out.s, seg.counts);
    out.s.chars = chars;
    out.s.windowed = windowed;
    out.flags = seg.flags;
    out.flagCounts.set(seg.flagCounts);
    if (out.ngrams.length < seg.ngrams.length) out.ngrams = new Int32Array(seg.ngrams.length * 2);
    out.ngrams.set(seg.ngrams);
    out.ngramCount = seg.ngrams.length;
    const bits = this.bits;
    for (let i = 0, ng = seg.ngrams, n = ng.length; i < n; i++) {
      const b = ng[i]!;
      bits[(b >>> 5) << 1] = bits[(b >>> 5) << 1]! | (1 << (b & 31));
    }
    this.prev = seg.prev;
    this.firstToken = seg.firstToken;
    this.segFirstToken = seg.segFirstToken;
    this.backtickRun = seg.backtickRun;
  }

  /**
   * What the JavaScript branch of extract() does with a segment (scan the window's parts, end the
   * token and the line), in the native kernel: the same steps on the same state, which goes in
   * and out through the state array.
   */
  private readNative(seg: string, segStart: number, windowed: boolean, tailStart: number, last: boolean): void {
    this.toState();
    const segEnd = segStart + seg.length;
    // After the last segment no n-gram is added: the kernel also clears the dedup bits then.
    const end = SCAN_END_SEGMENT | (last ? SCAN_CLEAR_BITS : 0);
    if (!windowed) this.scanNative(seg, 0, seg.length, end);
    else {
      const head = segStart < HEAD_CHARS;
      const tail = segEnd > tailStart;
      if (head) this.scanNative(seg, 0, Math.min(seg.length, HEAD_CHARS - segStart), tail ? 0 : end);
      if (tail) this.scanNative(seg, Math.max(0, tailStart - segStart), seg.length, SCAN_FLUSH_BEFORE | end);
      if (!head && !tail) this.scanNative(seg, 0, 0, end);
    }
    this.fromState();
  }

  private scanNative(text: string, from: number, to: number, mode: number): void {
    const d = from > 0 ? from - 1 : 0;
    const u = this.units(text, d, to);
    // The kernel cannot grow the n-gram array: make room for two n-grams per character (and the flushes).
    const out = this.out;
    const need = this.st[STATE.ngramCount]! + 2 * (to - from) + 4;
    if (out.ngrams.length < need) {
      const bigger = new Int32Array(Math.max(need, out.ngrams.length * 2));
      bigger.set(out.ngrams);
      out.ngrams = bigger;
    }
    this.kernel!.scan(this.st, this.bits, out.ngrams, u, from - d, to - d, mode);
  }

  /** Writes the tokenizer state, the n-gram count, the flags and the scan's counts into the state array. */
  private toState(): void {
    const st = this.st;
    const out = this.out;
    st[STATE.h] = this.h;
    st[STATE.tokLen] = this.tokLen;
    st[STATE.tokDigits] = this.tokDigits;
    st[STATE.prev] = this.prev;
    st[STATE.firstToken] = this.firstToken;
    st[STATE.segFirstToken] = this.segFirstToken;
    st[STATE.lineState] = this.lineState;
    st[STATE.lineHasPipe] = this.lineHasPipe ? 1 : 0;
    st[STATE.backtickRun] = this.backtickRun;
    st[STATE.ngramCount] = out.ngramCount;
    st[STATE.flags] = out.flags;
    const s = out.s;
    const c = STATE.counts;
    st[c + 0] = s.windowChars;
    st[c + 1] = s.lines;
    st[c + 2] = s.tokens;
    st[c + 3] = s.questionMarks;
    st[c + 4] = s.numberedItems;
    st[c + 5] = s.bulletItems;
    st[c + 6] = s.choiceItems;
    st[c + 7] = s.fences;
    st[c + 8] = s.backticks;
    st[c + 9] = s.braces;
    st[c + 10] = s.pipeLines;
    st[c + 11] = s.digits;
    st[c + 12] = s.operators;
    st[c + 13] = s.emails;
    st[c + 14] = s.longDigitRuns;
    st[c + 15] = s.latin;
    st[c + 16] = s.cyrillic;
    st[c + 17] = s.han;
    st[c + 18] = s.kana;
    st[c + 19] = s.hangul;
    st[c + 20] = s.arabic;
    st[c + 21] = s.devanagari;
    st[c + 22] = s.greek;
    st[c + 23] = s.hebrew;
    st[c + 24] = s.thai;
  }

  /** Reads back what toState wrote, as the kernel left it. */
  private fromState(): void {
    const st = this.st;
    const out = this.out;
    this.h = st[STATE.h]!;
    this.tokLen = st[STATE.tokLen]!;
    this.tokDigits = st[STATE.tokDigits]!;
    this.prev = st[STATE.prev]!;
    this.firstToken = st[STATE.firstToken]!;
    this.segFirstToken = st[STATE.segFirstToken]!;
    this.lineState = st[STATE.lineState]!;
    this.lineHasPipe = st[STATE.lineHasPipe] !== 0;
    this.backtickRun = st[STATE.backtickRun]!;
    out.ngramCount = st[STATE.ngramCount]!;
    out.flags = st[STATE.flags]!;
    const s = out.s;
    const c = STATE.counts;
    s.windowChars = st[c + 0]!;
    s.lines = st[c + 1]!;
    s.tokens = st[c + 2]!;
    s.questionMarks = st[c + 3]!;
    s.numberedItems = st[c + 4]!;
    s.bulletItems = st[c + 5]!;
    s.choiceItems = st[c + 6]!;
    s.fences = st[c + 7]!;
    s.backticks = st[c + 8]!;
    s.braces = st[c + 9]!;
    s.pipeLines = st[c + 10]!;
    s.digits = st[c + 11]!;
    s.operators = st[c + 12]!;
    s.emails = st[c + 13]!;
    s.longDigitRuns = st[c + 14]!;
    s.latin = st[c + 15]!;
    s.cyrillic = st[c + 16]!;
    s.han = st[c + 17]!;
    s.kana = st[c + 18]!;
    s.hangul = st[c + 19]!;
    s.arabic = st[c + 20]!;
    s.devanagari = st[c + 21]!;
    s.greek = st[c + 22]!;
    s.hebrew = st[c + 23]!;
    s.thai = st[c + 24]!;
  }

  private newline(): void {
    const s = this.out.s;
    if (this.lineHasPipe) s.pipeLines++;
    this.lineHasPipe = false;
    this.lineState = LS_START;
  }

  /**
   * Copies the UTF-16 code units text[start, to) into the scratch array (natively, one memcpy-like
   * call): reading a typed array is about twice as fast as charCodeAt on a string.
   */
  private units(text: string, start: number, to: number): Uint16Array {
    const n = to - start;
    if (n > this.u16.length) {
      this.u16 = new Uint16Array(Math.max(n, this.u16.length * 2));
      this.u16Bytes = Buffer.from(this.u16.buffer, this.u16.byteOffset, this.u16.byteLength);
    }
    this.u16Bytes.write(start === 0 && to === text.length ? text : text.slice(start, to), 0, 'utf16le');
    return this.u16;
  }

  private scan(text: string, from: number, to: number): void {
    const s = this.out.s;
    s.windowChars += to - from;
    // u[k] is text.charCodeAt(k + d) for k in [from - d, n): the window, and the unit before it
    // (for the fence check).
    const d = from > 0 ? from - 1 : 0;
    const u = this.units(text, d, to);
    const n = to - d;
    // Hot loop: tokenizer state lives in locals and is written back at the end.
    let h = this.h;
    let len = this.tokLen;
    let dig = this.tokDigits;
    let ls = this.lineState;
    let latin = 0;
    let digits = 0;
    for (let k = from - d; k < n; k++) {
      let c = u[k]!;
      if (c >= 97 && c <= 122) {
        // A run of lowercase letters (most of any text) in a tight loop. A lowercase letter
        // decides the line start without counting anything: the line state becomes LS_NONE.
        ls = LS_NONE;
        h = Math.imul(h ^ c, FNV_PRIME);
        const runStart = k;
        while (k + 1 < n) {
          c = u[k + 1]!;
          if (c < 97 || c > 122) break;
          h = Math.imul(h ^ c, FNV_PRIME);
          k++;
        }
        len += k + 1 - runStart;
        latin += k + 1 - runStart;
        continue;
      }
      if (c >= 65 && c <= 90) {
        if (ls !== LS_NONE) ls = this.lineStep(ls, c);
        c |= 32;
        h = Math.imul(h ^ c, FNV_PRIME);
        len++;
        latin++;
        continue;
      }
      if (c >= 48 && c <= 57) {
        h = Math.imul(h ^ c, FNV_PRIME);
        len++;
        dig++;
        digits++;
        if (ls !== LS_NONE) ls = this.lineStep(ls, c);
        continue;
      }
      if (c >= 0xc0) {
        this.h = h;
        this.tokLen = len;
        this.tokDigits = dig;
        this.lineState = ls;
        const consumed = this.otherScript(c);
        h = this.h;
        len = this.tokLen;
        dig = this.tokDigits;
        ls = this.lineState;
        if (consumed) continue;
      }
      // Any other character ends the token.
      if (len > 0) {
        this.endToken(h, len, dig);
        h = OFFSET;
        len = 0;
        dig = 0;
      }
      if (ls !== LS_NONE) ls = this.lineStep(ls, c);
      if (c === 10) {
        s.lines++;
        if (this.lineHasPipe) s.pipeLines++;
        this.lineHasPipe = false;
        ls = LS_START;
      } else if (c !== 32 && c !== 9 && c !== 13) {
        switch (c) {
          case 63: // ?
            s.questionMarks++;
            break;
          case 96: // `
            this.backtickRun = k + d > 0 && u[k - 1] === 96 ? this.backtickRun + 1 : 1;
            s.backticks++;
            if (this.backtickRun === 3) s.fences++;
            break;
          case 123: // {
          case 125: // }
            s.braces++;
            break;
          case 124: // |
            this.lineHasPipe = true;
            break;
          case 61: // =
          case 43: // +
          case 42: // *
          case 47: // /
          case 94: // ^
          case 60: // <
          case 62: // >
          case 37: // %
            s.operators++;
            break;
          case 64: // @ between word characters: an e-mail address
            if (k + d > from && k + 1 < n && u[k - 1]! > 47 && u[k + 1]! > 47) s.emails++;
            break;
          default:
            break;
        }
      }
    }
    this.h = h;
    this.tokLen = len;
    this.tokDigits = dig;
    this.lineState = ls;
    s.latin += latin;
    s.digits += digits;
  }

  /** Non-Latin scripts: returns true when the character was consumed as (part of) a token. */
  private otherScript(c: number): boolean {
    const s = this.out.s;
    if (c < 0x250) {
      // Latin-1 / Latin Extended letters (except × and ÷)
      if (c === 0xd7 || c === 0xf7) return false;
      if (c < 0xe0 && c !== 0xdf) c += 32;
      this.h = Math.imul(this.h ^ c, FNV_PRIME);
      this.tokLen++;
      s.latin++;
      if (this.lineState !== LS_NONE) this.lineState = LS_NONE;
      return true;
    }
    let tokenChar = true;
    let single = false;
    if (c >= 0x370 && c < 0x400) s.greek++;
    else if (c >= 0x400 && c < 0x530) s.cyrillic++;
    else if (c >= 0x590 && c < 0x600) s.hebrew++;
    else if (c >= 0x600 && c < 0x700) s.arabic++;
    else if (c >= 0x900 && c < 0x980) s.devanagari++;
    else if (c >= 0xe00 && c < 0xe80) {
      s.thai++;
      single = true;
    } else if (c >= 0x3040 && c < 0x3100) {
      s.kana++;
      single = true;
    } else if (c >= 0x4e00 && c < 0xa000) {
      s.han++;
      single = true;
    } else if (c >= 0xac00 && c < 0xd7b0) s.hangul++;
    else if (c >= 0xd800 && c < 0xe000) tokenChar = true; // surrogate halves (emoji etc.): part of a token
    else if ((c >= 0x2000 && c < 0x2070) || (c >= 0x3000 && c < 0x3040) || (c >= 0xff00 && c < 0xff10)) tokenChar = false;
    if (!tokenChar) return false;
    if (this.lineState !== LS_NONE) {
      if (c === 0x2022 && this.lineState === LS_START) this.lineState = LS_MARK;
      else this.lineState = LS_NONE;
    }
    if (single) {
      this.flushToken();
      const h = Math.imul(Math.imul(OFFSET ^ (c & 0xff), FNV_PRIME) ^ (c >>> 8), FNV_PRIME);
      this.endToken(h, 1, 0);
    } else {
      this.h = Math.imul(this.h ^ (c & 0xff), FNV_PRIME);
      this.h = Math.imul(this.h ^ (c >>> 8), FNV_PRIME);
      this.tokLen++;
    }
    return true;
  }

  /** Line-start state machine: numbered items "1." "2)", bullets "- " "* " "• ", choices "A)" "B.". */
  private lineStep(state: number, c: number): number {
    const s = this.out.s;
    switch (state) {
      case LS_START:
        if (c === 32 || c === 9) return LS_START;
        if (c >= 48 && c <= 57) return LS_DIGITS;
        if (c === 45 || c === 42 || c === 43) return LS_MARK;
        if (c >= 65 && c <= 72) return LS_LETTER;
        return LS_NONE;
      case LS_DIGITS:
        if (c >= 48 && c <= 57) return LS_DIGITS;
        if (c === 46 || c === 41) s.numberedItems++;
        return LS_NONE;
      case LS_MARK:
        if (c === 32 || c === 9) s.bulletItems++;
        return LS_NONE;
      case LS_LETTER:
        if (c === 41 || c === 46) s.choiceItems++;
        return LS_NONE;
      default:
        return LS_NONE;
    }
  }

  /** Adds a bucket to the n-gram set; returns whether a keyword cue hashes into this bucket. */
  private addNgram(bucket: number): boolean {
    const i = (bucket >>> 5) << 1;
    const bit = 1 << (bucket & 31);
    const bits = this.bits;
    const seen = bits[i]!;
    if ((seen & bit) === 0) {
      bits[i] = seen | bit;
      const out = this.out;
      if (out.ngramCount === out.ngrams.length) {
        const bigger = new Int32Array(out.ngrams.length * 2);
        bigger.set(out.ngrams);
        out.ngrams = bigger;
      }
      out.ngrams[out.ngramCount++] = bucket;
    }
    return (bits[i + 1]! & bit) !== 0;
  }

  /** Ends the token held in the instance fields (between segments, before a CJK character). */
  private flushToken(): void {
    if (this.tokLen > 0) this.endToken(this.h, this.tokLen, this.tokDigits);
    this.h = OFFSET;
    this.tokLen = 0;
    this.tokDigits = 0;
  }

  private endToken(rawHash: number, len: number, digits: number): void {
    const out = this.out;
    const s = out.s;
    let h: number;
    if (digits === len) {
      h = NUM_HASH;
      if (len >= 7) s.longDigitRuns++;
    } else h = rawHash | 0 || 1;
    s.tokens++;
    let f = this.addNgram(bucketOf(h)) ? cueFlags(h) : 0;
    if (this.prev !== 0) {
      const bh = bigramHash(this.prev, h) | 0;
      if (this.addNgram(bucketOf(bh))) f |= cueFlags(bh);
    }
    if (f !== 0) {
      out.flags |= f;
      // One step per set bit (language cues are bits 16+, hit by most function words).
      do {
        const b = 31 - Math.clz32(f);
        out.flagCounts[b]!++;
        f ^= 1 << b;
      } while (f !== 0);
    }
    if (this.firstToken === 0) this.firstToken = h;
    if (this.segFirstToken === 0) this.segFirstToken = h;
    this.prev = h;
  }

  private pushHand(bucket: number): void {
    const out = this.out;
    if (out.handCount < out.hand.length) out.hand[out.handCount++] = bucket;
  }

  private finish(extraHand: readonly number[]): void {
    const out = this.out;
    const s = out.s;
    const w = Math.max(1, s.windowChars);
    const hand = (name: HandName, x: number) => this.pushHand(HAND[name][bucketize(x, EDGES[name])]!);
    this.pushHand(BIAS_BUCKET);
    hand('len', s.chars);
    hand('lines', s.lines);
    hand('q', s.questionMarks);
    hand('numbered', s.numberedItems);
    hand('bullets', s.bulletItems);
    hand('choices', s.choiceItems);
    hand('fences', s.fences);
    hand('braces', s.braces);
    hand('pipes', s.pipeLines);
    hand('digits', s.digits / w);
    hand('ops', s.operators / w);
    this.pushHand(ENDQ_BUCKETS[s.endsWithQuestion ? 1 : 0]!);
    if (this.firstToken !== 0) this.pushHand(bucketOf((this.firstToken ^ FIRST_SALT) >>> 0));
    if (this.segFirstToken !== 0) this.pushHand(bucketOf((this.segFirstToken ^ LAST_FIRST_SALT) >>> 0));
    for (let f = out.flags & ~RULE_ONLY_FLAGS, b = 0; f !== 0; b++, f >>>= 1) if (f & 1) this.pushHand(FLAG_BUCKETS[b]!);
    for (const e of extraHand) this.pushHand(e);
  }
}
