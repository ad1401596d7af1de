/*
 * pnyx's classifier kernel in C: the per-character tokenizer of src/core/classifier/features.ts
 * (FeatureExtractor.scan, otherScript, lineStep, endToken, addNgram, flushToken, and cueFlags of
 * keywords.ts) and the packed-row weight sum of model.ts (addRows). The JavaScript stays the
 * reference: this file mirrors it step for step, and test/core/classifier.native.test.ts checks
 * that both give identical features and scores on arbitrary text.
 *
 * Everything the kernel reads or writes is handed in by the caller as typed arrays, so one
 * extractor's state never lives here; the cue table is per addon instance (napi instance data),
 * which keeps the addon safe to load in several worker threads at once.
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/*
 * Typed arrays are shared with JavaScript in host byte order, which needs no care, but the UTF-16
 * window is written by JavaScript as 'utf16le' bytes (Buffer.write): only right on little-endian.
 */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#error "pnyx_native reads the UTF-16 window as little-endian units: big-endian hosts are not supported"
#endif

/* Layout of the state array (Int32Array), shared with src/core/classifier/native.ts (STATE). */
enum {
  ST_FLAG_COUNTS = 0, /* 32 per-flag hit counts */
  ST_H = 32,
  ST_TOK_LEN,
  ST_TOK_DIGITS,
  ST_PREV,
  ST_FIRST_TOKEN,
  ST_SEG_FIRST_TOKEN,
  ST_LINE_STATE,
  ST_LINE_HAS_PIPE,
  ST_BACKTICK_RUN,
  ST_NGRAM_COUNT,
  ST_FLAGS,
  ST_WINDOW_CHARS,
  ST_LINES,
  ST_TOKENS,
  ST_QUESTION_MARKS,
  ST_NUMBERED_ITEMS,
  ST_BULLET_ITEMS,
  ST_CHOICE_ITEMS,
  ST_FENCES,
  ST_BACKTICKS,
  ST_BRACES,
  ST_PIPE_LINES,
  ST_DIGITS,
  ST_OPERATORS,
  ST_EMAILS,
  ST_LONG_DIGIT_RUNS,
  ST_LATIN,
  ST_CYRILLIC,
  ST_HAN,
  ST_KANA,
  ST_HANGUL,
  ST_ARABIC,
  ST_DEVANAGARI,
  ST_GREEK,
  ST_HEBREW,
  ST_THAI,
  ST_LENGTH
};

/*
 * scan() modes: end the held token (and forget the previous one) before the range; end the token
 * and the line after it; clear the n-gram dedup bits of every n-gram in the array after it.
 */
#define MODE_FLUSH_BEFORE 1
#define MODE_END_SEGMENT 2
#define MODE_CLEAR_BITS 4

#define FNV_OFFSET 0x811c9dc5u
#define FNV_PRIME 0x01000193u
#define FEATURE_MASK 0xffffu
#define CUE_TABLE_SIZE 4096u

enum { LS_NONE = 0, LS_START = 1, LS_DIGITS = 2, LS_MARK = 3, LS_LETTER = 4 };

/* Per addon instance (per thread): the cue table of keywords.ts and the <num> token's hash. */
typedef struct {
  uint32_t keys[CUE_TABLE_SIZE];
  uint32_t vals[CUE_TABLE_SIZE];
  uint32_t num_hash;
  int ready;
} Instance;

/* One scan's working set: the caller's arrays. */
typedef struct {
  const Instance *inst;
  int32_t *st;
  int32_t *bits;
  int32_t *ngrams;
} Scan;

static inline uint32_t imul(uint32_t a, uint32_t b) { return a * b; }

static inline uint32_t bucket_of(uint32_t x) {
  x ^= x >> 16;
  x = imul(x, 0x7feb352du);
  x ^= x >> 15;
  return x & FEATURE_MASK;
}

static inline uint32_t bigram_hash(uint32_t prev, uint32_t cur) {
  uint32_t h = imul(prev ^ 0x9e3779b9u, 0x85ebca6bu) ^ cur;
  return h ? h : 1;
}

static inline uint32_t cue_flags(const Instance *inst, uint32_t h) {
  uint32_t i = h & (CUE_TABLE_SIZE - 1);
  for (;;) {
    uint32_t k = inst->keys[i];
    if (k == h) return inst->vals[i];
    if (k == 0) return 0;
    i = (i + 1) & (CUE_TABLE_SIZE - 1);
  }
}

static inline int lowest_bit(uint32_t f) {
#if defined(_MSC_VER)
  unsigned long b;
  _BitScanForward(&b, f);
  return (int)b;
#else
  return __builtin_ctz(f);
#endif
}

/* Adds a bucket to the n-gram set; returns whether a keyword cue hashes into this bucket. */
static inline int add_ngram(Scan *s, uint32_t bucket) {
  uint32_t i = (bucket >> 5) << 1;
  int32_t bit = (int32_t)(1u << (bucket & 31));
  int32_t seen = s->bits[i];
  if ((seen & bit) == 0) {
    s->bits[i] = seen | bit;
    s->ngrams[s->st[ST_NGRAM_COUNT]++] = (int32_t)bucket;
  }
  return (s->bits[i + 1] & bit) != 0;
}

static void end_token(Scan *s, uint32_t raw, int32_t len, int32_t digits) {
  int32_t *st = s->st;
  uint32_t h;
  if (digits == len) {
    h = s->inst->num_hash;
    if (len >= 7) st[ST_LONG_DIGIT_RUNS]++;
  } else h = raw ? raw : 1;
  st[ST_TOKENS]++;
  uint32_t f = add_ngram(s, bucket_of(h)) ? cue_flags(s->inst, h) : 0;
  uint32_t prev = (uint32_t)st[ST_PREV];
  if (prev != 0) {
    uint32_t bh = bigram_hash(prev, h);
    if (add_ngram(s, bucket_of(bh))) f |= cue_flags(s->inst, bh);
  }
  if (f != 0) {
    st[ST_FLAGS] |= (int32_t)f;
    do {
      int b = lowest_bit(f);
      st[ST_FLAG_COUNTS + b]++;
      f &= f - 1;
    } while (f != 0);
  }
  if (st[ST_FIRST_TOKEN] == 0) st[ST_FIRST_TOKEN] = (int32_t)h;
  if (st[ST_SEG_FIRST_TOKEN] == 0) st[ST_SEG_FIRST_TOKEN] = (int32_t)h;
  st[ST_PREV] = (int32_t)h;
}

/* Ends the token held in the state (between segments, before a CJK character). */
static void flush_token(Scan *s) {
  int32_t *st = s->st;
  if (st[ST_TOK_LEN] > 0) end_token(s, (uint32_t)st[ST_H], st[ST_TOK_LEN], st[ST_TOK_DIGITS]);
  st[ST_H] = (int32_t)FNV_OFFSET;
  st[ST_TOK_LEN] = 0;
  st[ST_TOK_DIGITS] = 0;
}

/* Line-start state machine: numbered items "1." "2)", bullets "- " "* " "• ", choices "A)" "B.". */
static inline int line_step(int32_t *st, int state, uint32_t c) {
  switch (state) {
    case LS_START:
      if (c == 32 || c == 9) return LS_START;
      if (c >= 48 && c <= 57) return LS_DIGITS;
      if (c == 45 || c == 42 || c == 43) return LS_MARK;
      if (c >= 65 && c <= 72) return LS_LETTER;
      return LS_NONE;
    case LS_DIGITS:
      if (c >= 48 && c <= 57) return LS_DIGITS;
      if (c == 46 || c == 41) st[ST_NUMBERED_ITEMS]++;
      return LS_NONE;
    case LS_MARK:
      if (c == 32 || c == 9) st[ST_BULLET_ITEMS]++;
      return LS_NONE;
    case LS_LETTER:
      if (c == 41 || c == 46) st[ST_CHOICE_ITEMS]++;
      return LS_NONE;
    default:
      return LS_NONE;
  }
}

/*
 * Non-Latin scripts (c >= 0xc0): returns 1 when the character was consumed as (part of) a token.
 * The token hash, length and line state are the caller's locals, passed by address.
 */
static int other_script(Scan *s, uint32_t c, uint32_t *h, int32_t *len, int32_t *dig, int *ls) {
  int32_t *st = s->st;
  if (c < 0x250) {
    /* Latin-1 / Latin Extended letters (except × and ÷) */
    if (c == 0xd7 || c == 0xf7) return 0;
    if (c < 0xe0 && c != 0xdf) c += 32;
    *h = imul(*h ^ c, FNV_PRIME);
    (*len)++;
    st[ST_LATIN]++;
    *ls = LS_NONE;
    return 1;
  }
  int token_char = 1;
  int single = 0;
  if (c >= 0x370 && c < 0x400) st[ST_GREEK]++;
  else if (c >= 0x400 && c < 0x530) st[ST_CYRILLIC]++;
  else if (c >= 0x590 && c < 0x600) st[ST_HEBREW]++;
  else if (c >= 0x600 && c < 0x700) st[ST_ARABIC]++;
  else if (c >= 0x900 && c < 0x980) st[ST_DEVANAGARI]++;
  else if (c >= 0xe00 && c < 0xe80) {
    st[ST_THAI]++;
    single = 1;
  } else if (c >= 0x3040 && c < 0x3100) {
    st[ST_KANA]++;
    single = 1;
  } else if (c >= 0x4e00 && c < 0xa000) {
    st[ST_HAN]++;
    single = 1;
  } else if (c >= 0xac00 && c < 0xd7b0) st[ST_HANGUL]++;
  else if (c >= 0xd800 && c < 0xe000) token_char = 1; /* surrogate halves (emoji etc.): part of a token */
  else if ((c >= 0x2000 && c < 0x2070) || (c >= 0x3000 && c < 0x3040) || (c >= 0xff00 && c < 0xff10)) token_char = 0;
  if (!token_char) return 0;
  if (*ls != LS_NONE) *ls = c == 0x2022 && *ls == LS_START ? LS_MARK : LS_NONE;
  if (single) {
    st[ST_H] = (int32_t)*h;
    st[ST_TOK_LEN] = *len;
    st[ST_TOK_DIGITS] = *dig;
    flush_token(s);
    *h = FNV_OFFSET;
    *len = 0;
    *dig = 0;
    uint32_t ch = imul(imul(FNV_OFFSET ^ (c & 0xff), FNV_PRIME) ^ (c >> 8), FNV_PRIME);
    end_token(s, ch, 1, 0);
  } else {
    *h = imul(*h ^ (c & 0xff), FNV_PRIME);
    *h = imul(*h ^ (c >> 8), FNV_PRIME);
    (*len)++;
  }
  return 1;
}

/* FeatureExtractor.scan over u[k0, n) (u[k0 - 1], when k0 > 0, is the unit before the window). */
static void scan_units(Scan *s, const uint16_t *u, int32_t k0, int32_t n, int32_t mode) {
  int32_t *st = s->st;
  if (mode & MODE_FLUSH_BEFORE) {
    flush_token(s);
    st[ST_PREV] = 0;
  }
  st[ST_WINDOW_CHARS] += n - k0;
  uint32_t h = (uint32_t)st[ST_H];
  int32_t len = st[ST_TOK_LEN];
  int32_t dig = st[ST_TOK_DIGITS];
  int ls = st[ST_LINE_STATE];
  int32_t latin = 0;
  int32_t digits = 0;
  for (int32_t k = k0; k < n; k++) {
    uint32_t c = u[k];
    if (c >= 97 && c <= 122) {
      /* A run of lowercase letters: it decides the line start without counting anything. */
      ls = LS_NONE;
      h = imul(h ^ c, FNV_PRIME);
      int32_t run_start = k;
      while (k + 1 < n) {
        c = u[k + 1];
        if (c < 97 || c > 122) break;
        h = imul(h ^ c, FNV_PRIME);
        k++;
      }
      len += k + 1 - run_start;
      latin += k + 1 - run_start;
      continue;
    }
    if (c >= 65 && c <= 90) {
      if (ls != LS_NONE) ls = line_step(st, ls, c);
      c |= 32;
      h = imul(h ^ c, FNV_PRIME);
      len++;
      latin++;
      continue;
    }
    if (c >= 48 && c <= 57) {
      h = imul(h ^ c, FNV_PRIME);
      len++;
      dig++;
      digits++;
      if (ls != LS_NONE) ls = line_step(st, ls, c);
      continue;
    }
    if (c >= 0xc0 && other_script(s, c, &h, &len, &dig, &ls)) continue;
    /* Any other character ends the token. */
    if (len > 0) {
      end_token(s, h, len, dig);
      h = FNV_OFFSET;
      len = 0;
      dig = 0;
    }
    if (ls != LS_NONE) ls = line_step(st, ls, c);
    if (c == 10) {
      st[ST_LINES]++;
      if (st[ST_LINE_HAS_PIPE]) st[ST_PIPE_LINES]++;
      st[ST_LINE_HAS_PIPE] = 0;
      ls = LS_START;
    } else if (c != 32 && c != 9 && c != 13) {
      switch (c) {
        case 63: /* ? */
          st[ST_QUESTION_MARKS]++;
          break;
        case 96: /* ` */
          st[ST_BACKTICK_RUN] = k > 0 && u[k - 1] == 96 ? st[ST_BACKTICK_RUN] + 1 : 1;
          st[ST_BACKTICKS]++;
          if (st[ST_BACKTICK_RUN] == 3) st[ST_FENCES]++;
          break;
        case 123: /* { */
        case 125: /* } */
          st[ST_BRACES]++;
          break;
        case 124: /* | */
          st[ST_LINE_HAS_PIPE] = 1;
          break;
        case 61: /* = */
        case 43: /* + */
        case 42: /* * */
        case 47: /* / */
        case 94: /* ^ */
        case 60: /* < */
        case 62: /* > */
        case 37: /* % */
          st[ST_OPERATORS]++;
          break;
        case 64: /* @ between word characters: an e-mail address */
          if (k > k0 && k + 1 < n && u[k - 1] > 47 && u[k + 1] > 47) st[ST_EMAILS]++;
          break;
        default:
          break;
      }
    }
  }
  st[ST_H] = (int32_t)h;
  st[ST_TOK_LEN] = len;
  st[ST_TOK_DIGITS] = dig;
  st[ST_LINE_STATE] = ls;
  st[ST_LATIN] += latin;
  st[ST_DIGITS] += digits;
  if (mode & MODE_END_SEGMENT) {
    flush_token(s);
    if (st[ST_LINE_HAS_PIPE]) st[ST_PIPE_LINES]++;
    st[ST_LINE_HAS_PIPE] = 0;
    st[ST_LINE_STATE] = LS_START;
  }
  if (mode & MODE_CLEAR_BITS) {
    for (int32_t i = 0, count = st[ST_NGRAM_COUNT]; i < count; i++) s->bits[(((uint32_t)s->ngrams[i] & FEATURE_MASK) >> 5) << 1] = 0;
  }
}

/* ---- N-API glue ---- */

#define CHECK(call)                                                   \
  do {                                                                \
    if ((call) != napi_ok) {                                          \
      napi_throw_error(env, NULL, "pnyx_native: N-API call failed"); \
      return NULL;                                                    \
    }                                                                 \
  } while (0)

/* Data and element count of a typed array of the given type; NULL (with a JS error) otherwise. */
static void *typed(napi_env env, napi_value v, napi_typedarray_type want, size_t *count) {
  napi_typedarray_type type;
  void *data;
  if (napi_get_typedarray_info(env, v, &type, count, &data, NULL, NULL) != napi_ok || type != want) {
    napi_throw_type_error(env, NULL, "pnyx_native: unexpected argument type");
    return NULL;
  }
  return data;
}

static int32_t int_arg(napi_env env, napi_value v) {
  int32_t x = 0;
  napi_get_value_int32(env, v, &x);
  return x;
}

/* init(keys: Int32Array(4096), vals: Uint32Array(4096), numHash): the cue table of keywords.ts. */
static napi_value init_cues(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  Instance *inst;
  CHECK(napi_get_instance_data(env, (void **)&inst));
  size_t nk, nv;
  int32_t *keys = typed(env, argv[0], napi_int32_array, &nk);
  if (!keys) return NULL;
  uint32_t *vals = typed(env, argv[1], napi_uint32_array, &nv);
  if (!vals) return NULL;
  if (nk != CUE_TABLE_SIZE || nv != CUE_TABLE_SIZE) {
    napi_throw_range_error(env, NULL, "pnyx_native: the cue table must have 4096 entries");
    return NULL;
  }
  memcpy(inst->keys, keys, sizeof inst->keys);
  memcpy(inst->vals, vals, sizeof inst->vals);
  inst->num_hash = (uint32_t)int_arg(env, argv[2]);
  inst->ready = 1;
  return NULL;
}

/* The state, bitset and n-gram arrays of a scan call (arguments 0..2), checked. */
static int scan_arrays(napi_env env, napi_value *argv, Scan *s, size_t *ngram_cap) {
  size_t n_st, n_bits;
  if (napi_get_instance_data(env, (void **)&s->inst) != napi_ok || !s->inst->ready) {
    napi_throw_error(env, NULL, "pnyx_native: init() was not called");
    return 0;
  }
  if (!(s->st = typed(env, argv[0], napi_int32_array, &n_st))) return 0;
  if (!(s->bits = typed(env, argv[1], napi_int32_array, &n_bits))) return 0;
  if (!(s->ngrams = typed(env, argv[2], napi_int32_array, ngram_cap))) return 0;
  if (n_st < ST_LENGTH || n_bits != ((FEATURE_MASK + 1) >> 4)) {
    napi_throw_range_error(env, NULL, "pnyx_native: state or bitset array of the wrong size");
    return 0;
  }
  return 1;
}

/* Room for every n-gram a scan of `units` characters can add (at most two per token). */
static int ngram_room(napi_env env, const Scan *s, size_t cap, int32_t units) {
  if (units < 0 || cap - (size_t)s->st[ST_NGRAM_COUNT] < 2 * (size_t)units + 4 || (size_t)s->st[ST_NGRAM_COUNT] > cap) {
    napi_throw_range_error(env, NULL, "pnyx_native: n-gram array too small for this scan");
    return 0;
  }
  return 1;
}

/* scan(state, bits, ngrams, units: Uint16Array, k0, n, mode) */
static napi_value scan(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  Scan s;
  size_t cap, nu;
  if (!scan_arrays(env, argv, &s, &cap)) return NULL;
  const uint16_t *u = typed(env, argv[3], napi_uint16_array, &nu);
  if (!u) return NULL;
  int32_t k0 = int_arg(env, argv[4]);
  int32_t n = int_arg(env, argv[5]);
  int32_t mode = int_arg(env, argv[6]);
  if (k0 < 0 || k0 > n || (size_t)n > nu) {
    napi_throw_range_error(env, NULL, "pnyx_native: scan range outside the units");
    return NULL;
  }
  if (!ngram_room(env, &s, cap, n - k0)) return NULL;
  scan_units(&s, u, k0, n, mode);
  return NULL;
}

/*
 * addRows of model.ts: adds the integer weight sums of buckets[from, n) to acc[0, outputs).
 * addRows(rows: Int32Array(8 per bucket), nonEmpty: Int32Array, buckets: Int32Array, from, n, acc: Int32Array)
 */
#define ROW_WORDS 8
#define LANE_ROWS 256
#define LANE_MASK 0x00ff00ffu
#define WEIGHT_BIAS 128

static napi_value add_rows(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  size_t n_rows, n_nonempty, n_buckets, n_acc;
  const uint32_t *rows = typed(env, argv[0], napi_int32_array, &n_rows);
  if (!rows) return NULL;
  const uint32_t *non_empty = typed(env, argv[1], napi_int32_array, &n_nonempty);
  if (!non_empty) return NULL;
  const int32_t *buckets = typed(env, argv[2], napi_int32_array, &n_buckets);
  if (!buckets) return NULL;
  int32_t from = int_arg(env, argv[3]);
  int32_t n = int_arg(env, argv[4]);
  int32_t *acc = typed(env, argv[5], napi_int32_array, &n_acc);
  if (!acc) return NULL;
  if (n_rows != (FEATURE_MASK + 1) * ROW_WORDS || n_nonempty != (FEATURE_MASK + 1) >> 5 || from < 0 || from > n || (size_t)n > n_buckets ||
      n_acc > 28) {
    napi_throw_range_error(env, NULL, "pnyx_native: addRows arguments out of range");
    return NULL;
  }
  int32_t i = from;
  while (i < n) {
    uint32_t lo[7] = {0}, hi[7] = {0};
    int32_t added = 0;
    for (; i < n && added < LANE_ROWS; i++) {
      uint32_t b = (uint32_t)buckets[i] & FEATURE_MASK;
      if ((non_empty[b >> 5] & (1u << (b & 31))) == 0) continue;
      added++;
      const uint32_t *r = rows + (size_t)b * ROW_WORDS;
      for (int w = 0; w < 7; w++) {
        lo[w] += r[w] & LANE_MASK;
        hi[w] += (r[w] >> 8) & LANE_MASK;
      }
    }
    int32_t off = WEIGHT_BIAS * added;
    for (int w = 0; w < 7; w++) {
      size_t k = 4 * (size_t)w;
      if (k < n_acc) acc[k] += (int32_t)(lo[w] & 0xffff) - off;
      if (k + 1 < n_acc) acc[k + 1] += (int32_t)(hi[w] & 0xffff) - off;
      if (k + 2 < n_acc) acc[k + 2] += (int32_t)(lo[w] >> 16) - off;
      if (k + 3 < n_acc) acc[k + 3] += (int32_t)(hi[w] >> 16) - off;
    }
  }
  return NULL;
}

static void free_instance(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  free(data);
}

NAPI_MODULE_INIT() {
  Instance *inst = calloc(1, sizeof(Instance));
  if (!inst || napi_set_instance_data(env, inst, free_instance, NULL) != napi_ok) {
    free(inst);
    napi_throw_error(env, NULL, "pnyx_native: could not allocate the instance data");
    return NULL;
  }
  napi_value fn;
  napi_value state_length;
  CHECK(napi_create_function(env, "init", NAPI_AUTO_LENGTH, init_cues, NULL, &fn));
  CHECK(napi_set_named_property(env, exports, "init", fn));
  CHECK(napi_create_function(env, "scan", NAPI_AUTO_LENGTH, scan, NULL, &fn));
  CHECK(napi_set_named_property(env, exports, "scan", fn));
  CHECK(napi_create_function(env, "addRows", NAPI_AUTO_LENGTH, add_rows, NULL, &fn));
  CHECK(napi_set_named_property(env, exports, "addRows", fn));
  CHECK(napi_create_int32(env, ST_LENGTH, &state_length));
  CHECK(napi_set_named_property(env, exports, "stateLength", state_length));
  return exports;
}
