/**
 * Masks personal data and secrets in log text before it is stored: emails, phone numbers,
 * payment cards (Luhn-checked), IBANs (mod-97 checked), API keys and tokens (OpenAI/Anthropic
 * `sk-...`, AWS `AKIA...`, GitHub `ghp_...`, Slack `xox.-...`, Google `AIza...`, Stripe,
 * GitLab, Hugging Face, `Bearer ...`, JWTs) and `password=...`-style assignments.
 *
 * Pure and fast: it runs on every prompt. A few regexes, each starting with a literal or a word
 * boundary (so long runs of letters or base64 never make them backtrack), each skipped when a
 * cheap check shows it cannot match; emails are found from their `@`. Checksums are verified
 * in the replacer, so order numbers and timestamps that merely look like cards or IBANs stay.
 *
 * The skip checks are exact: each looks for substrings that every match of its regex contains,
 * so a skipped regex could not have matched (test/core/redact.property.test.ts compares this
 * with the unfiltered version in test/core/reference/redact.ts on generated strings).
 */

export type RedactionKind = 'EMAIL' | 'PHONE' | 'CARD' | 'IBAN' | 'API_KEY' | 'TOKEN' | 'SECRET';

/** The placeholder a masked value is replaced with, e.g. `[EMAIL]`. */
export const placeholder = (k: RedactionKind): string => `[${k}]`;

/** Tokens and API keys with a recognisable shape or prefix. */
const KEYS = new RegExp(
  String.raw`\b(?:` +
    [
      String.raw`eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}`, // JWT
      String.raw`sk-[A-Za-z0-9_-]{20,}`, // OpenAI, Anthropic
      String.raw`(?:AKIA|ASIA)[0-9A-Z]{16}\b`, // AWS access key id
      String.raw`gh[pousr]_[A-Za-z0-9]{30,}`, // GitHub
      String.raw`github_pat_[A-Za-z0-9_]{30,}`,
      String.raw`xox[abposr]-[A-Za-z0-9-]{10,}`, // Slack
      String.raw`AIza[0-9A-Za-z_-]{35}`, // Google
      String.raw`[rs]k_(?:live|test)_[A-Za-z0-9]{16,}`, // Stripe
      String.raw`glpat-[A-Za-z0-9_-]{20,}`, // GitLab
      String.raw`hf_[A-Za-z0-9]{30,}`, // Hugging Face
    ].join('|') +
    ')',
  'g',
);
/**
 * False only when KEYS cannot match: every alternative contains one of these substrings
 * (`eyJ` → `yJ`, `sk-` → `k-`, `AKIA`/`ASIA` → `IA`, `AIza` → `Iz`, `xox`, `glpat-`; the ones with
 * `_` also contain `gh`, `github`, `k_` or `hf_`). Literal searches (memchr) are several times
 * cheaper than running the word-boundary alternation over the whole text; the two-letter ones
 * search for their rarer letter (`-`, `J`, `I`) and look at its neighbour, since a search for a
 * common first letter (`k`, `y`) stops at every word that has it.
 */
function mayHoldKey(s: string): boolean {
  for (let i = s.indexOf('-'); i !== -1; i = s.indexOf('-', i + 1)) {
    if (s.charCodeAt(i - 1) === 0x6b /* k */ || (i >= 5 && s.startsWith('glpat', i - 5))) return true;
  }
  for (let i = s.indexOf('J'); i !== -1; i = s.indexOf('J', i + 1)) if (s.charCodeAt(i - 1) === 0x79 /* y */) return true;
  for (let i = s.indexOf('I'); i !== -1; i = s.indexOf('I', i + 1)) {
    const next = s.charCodeAt(i + 1);
    if (next === 0x41 /* A */ || next === 0x7a /* z */) return true;
  }
  return s.includes('xox') || (s.includes('_') && (s.includes('gh') || s.includes('github') || s.includes('k_') || s.includes('hf_')));
}
const BEARER = /\b(Bearer\s+)[A-Za-z0-9._~+/-]{12,}=*/g;
const IBAN = /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b/g;
/** Card candidates: 13-19 digits, optionally grouped by spaces or dashes; issuer digit 2-6. */
const CARD = /\b[2-6]\d(?:[ -]?\d){11,17}\b/g;
const PHONE = new RegExp(
  [
    String.raw`\+\d{1,3}[ .-]?(?:\(\d{1,4}\)[ .-]?)?\d{1,4}(?:[ .-]?\d{2,4}){1,5}\b`, // +49 30 1234567
    String.raw`\(\d{3}\)[ .-]?\d{3}[ .-]\d{4}\b`, // (555) 123-4567
    String.raw`\b\d{3}[.-]\d{3}[.-]\d{4}\b`, // 555-123-4567
    String.raw`\b0\d{2,4}[ /-]\d{3,4}(?:[ -]?\d{2,5})?\b`, // 030 1234567, 0171-1234567
  ].join('|'),
  'g',
);
const EMAIL_LOCAL = /[A-Za-z0-9._%+-]/;
const EMAIL_DOMAIN = /[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/y;

/** `password: hunter2`, `api_key="..."`, `client-secret=...`: the name stays, the value goes. */
const ASSIGNMENT_HINT = /pass|pwd|secret|key|token/i;
const ASSIGNMENT = /(\b(?:password|passwd|passphrase|pwd|secret|client[_-]?secret|api[_-]?key|access[_-]?key|secret[_-]?key|access[_-]?token|auth[_-]?token|refresh[_-]?token|private[_-]?key)\b["']?\s*[:=]\s*["']?)([^\s"',;]{6,})/gi;

function digitsOf(s: string): string {
  return s.replace(/\D/g, '');
}

export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

export function ibanValid(candidate: string): boolean {
  const s = candidate.replace(/ /g, '');
  if (s.length < 15 || s.length > 34) return false;
  const moved = s.slice(4) + s.slice(0, 4);
  let rem = 0;
  for (const ch of moved) {
    const c = ch.charCodeAt(0);
    const v = c >= 65 && c <= 90 ? String(c - 55) : ch;
    for (const d of v) rem = (rem * 10 + (d.charCodeAt(0) - 48)) % 97;
  }
  return rem === 1;
}

/** Replaces every `local@domain.tld`, found from each `@` outwards (linear in the text). */
function redactEmails(text: string): string {
  let out = '';
  let done = 0;
  let at = text.indexOf('@');
  while (at !== -1) {
    let start = at;
    while (start > done && EMAIL_LOCAL.test(text[start - 1]!)) start--;
    EMAIL_DOMAIN.lastIndex = at + 1;
    const domain = EMAIL_DOMAIN.exec(text);
    if (start < at && domain) {
      out += text.slice(done, start) + placeholder('EMAIL');
      done = at + 1 + domain[0].length;
    }
    at = text.indexOf('@', Math.max(at + 1, done));
  }
  return done === 0 ? text : out + text.slice(done);
}

/** `hints` bit: a run of 2+ digits right after two capital letters (every IBAN match starts with `[A-Z]{2}\d{2}`). */
const IBAN_HINT = 1;
/** `hints` bit: `\d[\d ().-]{5,}\d` matches (every card and phone number the replacers keep masked holds such a run). */
const DIGIT_RUN_HINT = 2;
const DIGIT = /\d/g;

/**
 * Which digit detectors could change the text, from one scan of its runs of digits and ` ().-`
 * (a regex finds each run's first digit, a loop walks the run): IBAN_HINT | DIGIT_RUN_HINT.
 * Exact for both: a run of 7+ characters from a digit to a digit lies within one such run, and a
 * digit after a letter starts one.
 */
function digitHints(text: string): number {
  let hints = 0;
  DIGIT.lastIndex = 0;
  while (DIGIT.test(text)) {
    const start = DIGIT.lastIndex - 1;
    if (start >= 2 && isDigit(text.charCodeAt(start + 1)) && isCapital(text.charCodeAt(start - 1)) && isCapital(text.charCodeAt(start - 2))) hints |= IBAN_HINT;
    let lastDigit = start;
    let i = start + 1;
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (isDigit(c)) lastDigit = i;
      else if (!(c === 0x20 || c === 0x28 || c === 0x29 || c === 0x2e || c === 0x2d)) break; // ` ().-`
    }
    if (lastDigit - start >= 6) hints |= DIGIT_RUN_HINT;
    if (hints === (IBAN_HINT | DIGIT_RUN_HINT) || i >= text.length) break;
    DIGIT.lastIndex = i;
  }
  return hints;
}

const isDigit = (c: number) => c >= 48 && c <= 57;
const isCapital = (c: number) => c >= 65 && c <= 90;

/** Returns `text` with personal data and secrets replaced by placeholders such as `[EMAIL]`. */
export function redactText(text: string): string {
  if (text.length < 6) return text;
  let out = mayHoldKey(text) ? text.replace(KEYS, (m) => (m.startsWith('eyJ') ? placeholder('TOKEN') : placeholder('API_KEY'))) : text;
  if (out.includes('Bearer')) out = out.replace(BEARER, (_m, lead: string) => `${lead}${placeholder('TOKEN')}`);
  if (out.includes('@')) out = redactEmails(out);
  let hints = digitHints(out);
  if (hints & IBAN_HINT) {
    const masked = out.replace(IBAN, (m) => (ibanValid(m) ? placeholder('IBAN') : m));
    if (masked !== out) hints = digitHints((out = masked));
  }
  if (hints & DIGIT_RUN_HINT) {
    out = out.replace(CARD, (m) => {
      const d = digitsOf(m);
      return d.length >= 13 && d.length <= 19 && luhnValid(d) ? placeholder('CARD') : m;
    });
    out = out.replace(PHONE, (m) => {
      const n = digitsOf(m).length;
      return n >= 7 && n <= 15 ? placeholder('PHONE') : m;
    });
  }
  // An assignment needs its `:` or `=` (a memchr) before the case-insensitive name search.
  if ((out.includes(':') || out.includes('=')) && ASSIGNMENT_HINT.test(out)) out = out.replace(ASSIGNMENT, (_m, name: string) => `${name}${placeholder('SECRET')}`);
  return out;
}
