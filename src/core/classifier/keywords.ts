import { FEATURE_COUNT, bigramHash, bucketOf, hashToken } from './hash.js';

/**
 * Keyword cues, looked up once per token (and once per bigram) during the single tokenizer pass.
 * Each cue sets bits in a 32-bit flag word; the table is an open-addressed hash on the token hash.
 */
export const KW = {
  refund: 1 << 0,
  legal: 1 << 1,
  complaint: 1 << 2,
  personalData: 1 << 3,
  compliance: 1 << 4,
  customerFacing: 1 << 5,
  json: 1 << 6,
  table: 1 << 7,
  list: 1 << 8,
  codeLang: 1 << 9,
  reasoning: 1 << 10,
  autocomplete: 1 << 11,
  schema: 1 << 12,
  tools: 1 << 13,
  harmIntent: 1 << 14,
  analytic: 1 << 15,
  langEn: 1 << 16,
  langDe: 1 << 17,
  langFr: 1 << 18,
  langEs: 1 << 19,
  langPt: 1 << 20,
  langIt: 1 << 21,
  langNl: 1 << 22,
} as const;

/**
 * Flags read by the rules only. The linear model was trained without them, so they never become
 * model features (features.ts masks them out): adding a rule cue cannot shift a trained head.
 */
export const RULE_ONLY_FLAGS = KW.analytic;

export const LANGUAGE_FLAGS: ReadonlyArray<[string, number]> = [
  ['en', KW.langEn],
  ['de', KW.langDe],
  ['fr', KW.langFr],
  ['es', KW.langEs],
  ['pt', KW.langPt],
  ['it', KW.langIt],
  ['nl', KW.langNl],
];

const CUES: ReadonlyArray<[number, string]> = [
  [KW.refund, 'refund refunds refunded reimburse reimbursement chargeback cancellation cancel credit_note money_back compensation voucher'],
  [KW.legal, 'legal lawyer attorney contract contracts contractual liability liable warranty guarantee lawsuit sue litigation clause clauses terms_and indemnify indemnity nda breach court gdpr_request'],
  [KW.complaint, 'complaint complaints complain complaining angry furious unacceptable escalate escalation escalated frustrated disappointed dissatisfied supervisor manager_please'],
  [KW.personalData, 'ssn social_security passport iban date_of birth address phone_number credit_card card_number medical_record diagnosis salary pii personal_data dob'],
  [KW.compliance, 'compliance compliant gdpr hipaa ccpa sox pci regulation regulatory policy policies audit consent kyc aml disclosure'],
  [KW.customerFacing, 'customer customers client clients reply respond ticket support agent subscriber'],
  [KW.json, 'json jsonl json_schema json_object'],
  [KW.table, 'table tabular csv spreadsheet columns markdown_table'],
  [KW.list, 'list bullet bullets bulleted enumerate numbered_list bullet_points'],
  [KW.codeLang, 'python javascript typescript java c++ rust golang sql bash regex html css kotlin swift php ruby scala haskell'],
  [KW.reasoning, 'prove proof derive calculate compute solve step_by reason reasoning analyze analyse debug optimize estimate justify why plan trade-offs tradeoffs'],
  // Analytical method: statistics, causal and what-if questions, cohort / funnel / period-over-period
  // comparisons, attribution. Basic aggregation words (sum, count, average, top, by) are not cues.
  // Hyphenated terms are bigrams: the tokenizer splits at '-' ("z-test" is z_test).
  [KW.analytic, 'cohort cohorts retention attribution multi_touch significance significant significantly statistically statistical p_value z_test t_test chi_square confidence_interval standard_deviation standard_deviations variance regression correlation correlate correlates correlated causal causation counterfactual what_if elasticity seasonality seasonally anomaly anomalies outlier outliers hypothesis control_for controlling_for driven_by drivers decompose decomposition funnel ramp percentile percentiles median uplift simulate scenario_analysis sensitivity_analysis year_over quarter_over month_over weighted_average assuming'],
  [KW.autocomplete, 'autocomplete complete_the continue_the continue_writing finish_the next_word'],
  [KW.schema, 'schema $schema properties required_fields'],
  [KW.tools, 'tool tools function_call search_the browse api_call'],
  [KW.harmIntent, 'undetected untraceable evade evading illegally without_getting unnoticed anonymously_harass'],
  [KW.langEn, 'the and is are of to with what how please you this that'],
  [KW.langDe, 'der die das und ist nicht ich sie mit bitte für eine'],
  [KW.langFr, 'le la les et est une des pour avec vous je pas'],
  [KW.langEs, 'el los las es una por para con usted qué cómo pero'],
  [KW.langPt, 'os uma não você com para é são obrigado por favor'],
  [KW.langIt, 'il gli che è una per con sono non della'],
  [KW.langNl, 'het een en is van niet ik je met voor'],
];

const TABLE_BITS = 12;
const TABLE_SIZE = 1 << TABLE_BITS;
// Keys as int32: callers may pass a hash as uint32 or as int32 (the same bits); both compare by `h | 0`.
const keys = new Int32Array(TABLE_SIZE);
const vals = new Uint32Array(TABLE_SIZE);

function insert(hash: number, flag: number): void {
  const h = hash | 0;
  let i = h & (TABLE_SIZE - 1);
  while (keys[i] !== 0 && keys[i] !== h) i = (i + 1) & (TABLE_SIZE - 1);
  keys[i] = h;
  vals[i] = (vals[i] ?? 0) | flag;
}

/** Hash of a cue: single words hash as tokens; `a_b` means the bigram "a b". */
export function cueHash(cue: string): number {
  const parts = cue.split('_');
  let h = hashToken(parts[0]!);
  for (let i = 1; i < parts.length; i++) h = bigramHash(h, hashToken(parts[i]!));
  return h;
}

for (const [flag, words] of CUES) for (const w of words.split(' ')) insert(cueHash(w), flag);

/**
 * One bit per feature bucket: set when some cue's hash falls in that bucket. The tokenizer
 * computes every token's bucket anyway, so it probes the cue table only when this bit is set
 * (cueFlags of a hash whose bucket has no bit is always 0).
 */
export const CUE_BUCKET_BITS = new Int32Array(FEATURE_COUNT >>> 5);
for (let i = 0; i < TABLE_SIZE; i++) {
  if (keys[i] === 0) continue;
  const b = bucketOf(keys[i]!);
  CUE_BUCKET_BITS[b >>> 5] = CUE_BUCKET_BITS[b >>> 5]! | (1 << (b & 31));
}

/** The cue table itself (the native kernel copies it once at load). */
export const CUE_TABLE: { readonly keys: Int32Array; readonly vals: Uint32Array } = { keys, vals };

/** Flags of a token or bigram hash (0 when it is no cue). */
export function cueFlags(hash: number): number {
  const h = hash | 0;
  let i = h & (TABLE_SIZE - 1);
  for (;;) {
    const k = keys[i]!;
    if (k === h) return vals[i]!;
    if (k === 0) return 0;
    i = (i + 1) & (TABLE_SIZE - 1);
  }
}
