/**
 * EXPERIMENT (issue 7, design study "DuckDB reads the log"): not part of pnyx, changes nothing in
 * src/. Measures, on one JSONL log of the bench shape (scripts/benchData.ts: the OpenAI nested chat
 * log `{id, timestamp, metadata, request:{model, messages, ...}, response:{model, choices, usage},
 * latency_ms, cost_usd}`), what an ingest costs when DuckDB reads the file and JavaScript only sees
 * the prompt texts:
 *   0. file sha256 and line count (the real thing needs both: skip-unchanged-file, reject check);
 *   1. `read_json` with explicit columns into a TEMP staging table with a row number; the plain
 *      `requests` columns computed in SQL;
 *   2. (row number, system prompt, messages, metadata, the classifier's plain inputs) streamed out
 *      with `conn.stream` + `fetchChunk`, in jobs of --job-rows rows, to N worker threads that run
 *      the real classifier (PromptClassifier) and the real masking (textForStorage: redactText of
 *      every text, the stored messages/metadata JSON) and send back masked text + profile; the main
 *      thread appends them (Appender) into a TEMP table `masked`;
 *   3. `INSERT INTO requests SELECT ... FROM staging POSITIONAL JOIN masked` (masked is appended in
 *      row-number order, checked; first copy of an id wins), the profiles into `profiles`, COMMIT;
 *   all in one transaction on one connection (one streamed query per job: an Appender flush on the
 *   connection of a pending stream ends that stream).
 * Findings (README "Design study: DuckDB reads the log"): not cheaper than the current path.
 * and, in the same run on the same file, each as its own child process (its own CPU and peak RSS):
 *   (a) DuckDB's `CREATE TABLE AS SELECT * FROM read_json(FILE)` alone (as `npm run bench` (a));
 *   (b) `node bin/pnyx analyze FILE --db X --quiet` (the current path).
 * Variants alternate within each round; medians over rounds are printed with the load average.
 *
 *   npm run build && npx tsx scripts/bench-sqlpath.ts [FILE=/tmp/req200k.jsonl] [--rounds 3]
 *       [--workers 2] [--job-rows 8192] [--messages joined|json] [--hash none|js|sql] [--delta]
 *       [--blob] [--variants a,p,p:json,p:js,p:delta:blob,b] [--dir DIR] [--keep] [--check]
 *
 * --variants: what runs, in turn: `a`, `b`, and prototypes `p[:joined|json][:none|js|sql][:delta][:blob]`
 *   (each part overrides the flag of that name for that variant).
 * --delta: workers send back only the texts masking changed (null otherwise); step 3 keeps the
 *   staged text for the rest and builds the messages JSON in SQL (to_json).
 * --blob: each job leaves DuckDB as one UTF-8 BLOB (string_agg of the fields, split by control
 *   characters the bench log never holds) and is decoded in the worker: the main thread neither
 *   decodes nor clones the text.
 *
 * --messages: how workers get the messages: `joined` = roles and contents joined by SQL into two
 *   strings (split in JS), `json` = the messages array as DuckDB's JSON text (JSON.parse in JS).
 * --hash: content_sha256 as the real ingest needs it: `none` (a constant: the prototype without
 *   it), `js` (canonicalHash of ingestRecord.ts in the workers, from every canonical field streamed
 *   out), `sql` (sha256 of a canonical JSON built in SQL for this shape: not byte-identical in
 *   general, see --check).
 * --check: after a round with both (p) and (b), compares the prototype's rows with analyze's
 *   (same request ids; per column: how many differ) so "close enough" is a number.
 * Figures: wall s, process CPU s (user+sys of all threads: DuckDB's, the workers', V8's), CPU µs
 * per row, peak RSS per step (VmHWM reset per step via /proc/self/clear_refs), the main thread's
 * and the workers' own CPU (/proc/thread-self/schedstat) and the workers' CPU per phase.
 * What runs in the workers is the build in dist/ (what ships), so build first.
 */
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { DuckDBAppender, DuckDBBlobValue, DuckDBConnection, DuckDBDataChunk } from '@duckdb/node-api';
import type * as ClassifierIndex from '../src/core/classifier/index.js';
import type * as ClassifierModel from '../src/core/classifier/defaultModel.js';
import type * as IngestRecord from '../src/core/ingestRecord.js';
import type * as StoreText from '../src/core/storeText.js';
import type { CanonicalRequest, ChatMessage } from '../src/core/request.js';
import { check, measure, TIME, type Measured } from './measure.js';
import { median } from './stats.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(ROOT, 'dist');
const BIN = join(ROOT, 'bin/pnyx');

type MessagesMode = 'joined' | 'json';
type HashMode = 'none' | 'js' | 'sql';

interface Args {
  file: string;
  rounds: number;
  workers: number;
  jobRows: number;
  messages: MessagesMode;
  hash: HashMode;
  /** Workers send back only the texts masking changed; SQL builds the rest (see the header). */
  delta: boolean;
  /** Each job crosses as one UTF-8 BLOB built by SQL (string_agg), decoded and split in the worker. */
  blob: boolean;
  variants: string[];
  dir?: string;
  keep: boolean;
  check: boolean;
  /** Internal: run the prototype in this process on this database file. */
  child?: string;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { file: '/tmp/req200k.jsonl', rounds: 1, workers: 2, jobRows: 8192, messages: 'joined', hash: 'none', delta: false, blob: false, variants: ['a', 'p', 'b'], keep: false, check: false };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i]!;
    const v = () => {
      const x = argv[++i];
      if (x === undefined) throw new Error(`${k} needs a value`);
      return x;
    };
    if (k === '--rounds') a.rounds = Number(v());
    else if (k === '--workers') a.workers = Number(v());
    else if (k === '--job-rows') a.jobRows = Number(v());
    else if (k === '--messages') a.messages = v() as MessagesMode;
    else if (k === '--hash') a.hash = v() as HashMode;
    else if (k === '--delta') a.delta = true;
    else if (k === '--blob') a.blob = true;
    else if (k === '--variants') a.variants = v().split(',');
    else if (k === '--dir') a.dir = v();
    else if (k === '--keep') a.keep = true;
    else if (k === '--check') a.check = true;
    else if (k === '--child') a.child = v();
    else if (k.startsWith('--')) throw new Error(`unknown flag ${k}`);
    else a.file = resolve(k);
  }
  if (!['joined', 'json'].includes(a.messages)) throw new Error('--messages must be joined or json');
  if (!['none', 'js', 'sql'].includes(a.hash)) throw new Error('--hash must be none, js or sql');
  if (a.blob && (a.messages !== 'joined' || a.hash === 'js')) throw new Error('--blob needs --messages joined and no --hash js');
  if ((a.hash === 'sql' || a.delta) && a.messages !== 'joined') throw new Error('--hash sql and --delta need --messages joined (they read the staged message list)');
  return a;
}

// ---------------------------------------------------------------------------------------------
// What the streamed columns are and how they cross to the workers.

/** A streamed column: strings (null kept) or numbers (a Float64Array, NaN for null). */
type ColKind = 'str' | 'num';
interface StreamCol {
  name: string;
  kind: ColKind;
  sql: string;
}

/**
 * The columns streamed out of staging. Always: what the classifier and the masking read. With
 * --hash js also every other canonical field (canonicalHash hashes all of them).
 */
function streamColumns(messages: MessagesMode, hash: HashMode): StreamCol[] {
  const cols: StreamCol[] = [
    { name: 'rownum', kind: 'num', sql: 'rownum::DOUBLE' },
    { name: 'system', kind: 'str', sql: 'system_text' },
    ...(messages === 'joined'
      ? [
          { name: 'roles', kind: 'str' as const, sql: `array_to_string(list_transform(msgs, m -> coalesce(m.role, 'user')), chr(31))` },
          { name: 'contents', kind: 'str' as const, sql: `array_to_string(list_transform(msgs, m -> coalesce(m.content, '')), chr(30))` },
        ]
      : [{ name: 'messages', kind: 'str' as const, sql: 'messages_json::VARCHAR' }]),
    { name: 'metadata', kind: 'str', sql: 'metadata::VARCHAR' },
    { name: 'tool_count', kind: 'num', sql: 'tool_count::DOUBLE' },
    { name: 'rf_type', kind: 'str', sql: `CASE WHEN response_format IS NULL THEN NULL WHEN json_type(response_format) = 'VARCHAR' THEN response_format->>'$' ELSE coalesce(response_format->>'type', 'object') END` },
    { name: 'max_tokens', kind: 'num', sql: 'max_tokens::DOUBLE' },
    { name: 'stream', kind: 'num', sql: 'stream::INTEGER::DOUBLE' },
    { name: 'prompt_tokens', kind: 'num', sql: 'prompt_tokens::DOUBLE' },
  ];
  if (hash === 'js') {
    cols.push(
      { name: 'ts_ms', kind: 'num', sql: 'epoch_ms(ts)::DOUBLE' },
      { name: 'feature', kind: 'str', sql: 'feature' },
      { name: 'tenant_id', kind: 'str', sql: 'tenant_id' },
      { name: 'user_id', kind: 'str', sql: 'user_id' },
      { name: 'requested_model', kind: 'str', sql: 'requested_model' },
      { name: 'served_model', kind: 'str', sql: 'served_model' },
      { name: 'provider', kind: 'str', sql: 'provider' },
      { name: 'tools', kind: 'str', sql: 'tools::VARCHAR' },
      { name: 'response_format', kind: 'str', sql: 'response_format::VARCHAR' },
      { name: 'temperature', kind: 'num', sql: 'temperature' },
      { name: 'completion_tokens', kind: 'num', sql: 'completion_tokens::DOUBLE' },
      { name: 'reasoning_tokens', kind: 'num', sql: 'reasoning_tokens::DOUBLE' },
      { name: 'cached_tokens', kind: 'num', sql: 'cached_tokens::DOUBLE' },
      { name: 'cost_usd', kind: 'num', sql: 'cost_usd' },
      { name: 'latency_ms', kind: 'num', sql: 'latency_ms' },
      { name: 'ttft_ms', kind: 'num', sql: 'ttft_ms' },
      { name: 'finish_reason', kind: 'str', sql: 'finish_reason' },
      { name: 'status', kind: 'str', sql: 'status' },
      { name: 'error', kind: 'str', sql: 'error' },
    );
  }
  return cols;
}

/** One job for a worker: the streamed columns of --job-rows rows, or (--blob) their text in one UTF-8 buffer. */
interface Job {
  n: number;
  cols: Record<string, (string | null)[] | Float64Array>;
  blob?: Uint8Array;
}

/** --blob: one row's fields in the order of BLOB_FIELDS, rows and fields split by these (never in the bench log's text). */
const ROW_SEP = '\x1c';
const FIELD_SEP = '\x1d';
const BLOB_FIELDS: readonly (readonly [name: string, kind: ColKind, sql: string])[] = [
  ['system', 'str', `CASE WHEN system_text IS NULL THEN '' ELSE 'S' || system_text END`],
  ['roles', 'str', `array_to_string(list_transform(msgs, m -> coalesce(m.role, 'user')), chr(31))`],
  ['contents', 'str', `array_to_string(list_transform(msgs, m -> coalesce(m.content, '')), chr(30))`],
  ['metadata', 'str', `'S' || metadata::VARCHAR`],
  ['tool_count', 'num', `tool_count::VARCHAR`],
  ['rf_type', 'str', `CASE WHEN response_format IS NULL THEN '' ELSE 'S' || coalesce(response_format->>'type', 'object') END`],
  ['max_tokens', 'num', `coalesce(max_tokens::VARCHAR, '')`],
  ['stream', 'num', `coalesce(stream::INTEGER::VARCHAR, '')`],
  ['prompt_tokens', 'num', `coalesce(prompt_tokens::VARCHAR, '')`],
];
const BLOB_SQL = `SELECT encode(string_agg(${BLOB_FIELDS.map(([, , sql]) => sql).join(` || chr(29) || `)}, chr(28) ORDER BY rownum)) AS b, count(*) AS n
  FROM staging WHERE rownum BETWEEN $1 AND $2`;

/** The columns of a --blob job: strings `S...` (null when empty, for the nullable ones), numbers (NaN when empty). */
function colsFromBlob(bytes: Uint8Array, n: number): Job['cols'] {
  const rows = new TextDecoder().decode(bytes).split(ROW_SEP);
  const cols: Job['cols'] = {};
  BLOB_FIELDS.forEach(([name, kind], k) => (cols[name] = kind === 'num' ? new Float64Array(n) : new Array<string | null>(n)));
  for (let i = 0; i < n; i++) {
    const f = rows[i]!.split(FIELD_SEP);
    BLOB_FIELDS.forEach(([name, kind], k) => {
      const v = f[k]!;
      if (kind === 'num') (cols[name] as Float64Array)[i] = v === '' ? Number.NaN : Number(v);
      else if (name === 'roles' || name === 'contents') (cols[name] as (string | null)[])[i] = v;
      else (cols[name] as (string | null)[])[i] = v === '' ? null : v.slice(1);
    });
  }
  return cols;
}

/** What a worker sends back per job: masked text and the profile, column by column. */
interface JobResult {
  n: number;
  system: (string | null)[];
  messages: (string | null)[];
  metadata: (string | null)[];
  hash: string[] | null;
  /** task_type, domain, output_format, language, signals (JSON) per row. */
  strs: string[][];
  /** reasoning, latency_sensitivity, safety_risk, policy_sensitivity, context_tokens, complexity per row. */
  nums: Float64Array;
  /** structured_output, needs_tools, multimodal per row. */
  bools: Uint8Array;
}

const PROFILE_NUMS = 6;
const PROFILE_BOOLS = 3;

/** CPU nanoseconds the calling thread has run (Linux schedstat), or NaN. */
function threadCpuNs(): number {
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]);
  } catch {
    return Number.NaN;
  }
}

// ---------------------------------------------------------------------------------------------
// The worker: real classifier, real masking, optionally the real content hash.

const PHASES = ['build', 'classify', 'mask', 'hash', 'pack'] as const;

async function workerMain(): Promise<void> {
  const opts = workerData as { messages: MessagesMode; hash: HashMode; delta: boolean };
  const imp = (p: string) => import(pathToFileURL(join(DIST, p)).href);
  const { PromptClassifier } = (await imp('core/classifier/index.js')) as typeof ClassifierIndex;
  const { defaultModel } = (await imp('core/classifier/defaultModel.js')) as typeof ClassifierModel;
  const { textForStorage, maskText } = (await imp('core/storeText.js')) as typeof StoreText;
  const { canonicalHash } = (await imp('core/ingestRecord.js')) as typeof IngestRecord;
  const classifier = new PromptClassifier(defaultModel());
  const phaseNs = new Float64Array(PHASES.length);
  const cpuAtStart = threadCpuNs();
  const num = (a: Float64Array, i: number): number | null => (Number.isNaN(a[i]!) ? null : a[i]!);
  const noRecord = {};

  parentPort!.on('message', (msg: { job?: Job; report?: true }) => {
    if (msg.report) {
      parentPort!.postMessage({ cpuNs: threadCpuNs() - cpuAtStart, phaseNs: Array.from(phaseNs) });
      return;
    }
    const { n } = msg.job!;
    let t = threadCpuNs();
    const cols = msg.job!.blob ? colsFromBlob(msg.job!.blob, n) : msg.job!.cols;
    const s = (name: string) => cols[name] as (string | null)[];
    const f = (name: string) => cols[name] as Float64Array;
    const lap = (phase: number) => {
      const now = threadCpuNs();
      phaseNs[phase] = phaseNs[phase]! + now - t;
      t = now;
    };
    // build: the canonical request of each row, from the streamed strings.
    const reqs: CanonicalRequest[] = new Array(n);
    const system = s('system');
    const metadata = s('metadata');
    const toolCount = f('tool_count');
    const rfType = s('rf_type');
    const maxTokens = f('max_tokens');
    const stream = f('stream');
    const promptTokens = f('prompt_tokens');
    for (let i = 0; i < n; i++) {
      let messages: ChatMessage[];
      if (opts.messages === 'joined') {
        const roles = s('roles')[i]!;
        const contents = s('contents')[i]!;
        const rs = roles === '' ? [] : roles.split('\x1f');
        const cs = rs.length === 0 ? [] : contents.split('\x1e');
        messages = new Array(rs.length);
        for (let k = 0; k < rs.length; k++) messages[k] = { role: rs[k]!, content: cs[k] ?? '', attachments: 0 };
      } else {
        const parsed = JSON.parse(s('messages')[i] ?? '[]') as { role?: string; content?: unknown }[];
        messages = parsed.map((m) => ({ role: m.role ?? 'user', content: typeof m.content === 'string' ? m.content : '', attachments: 0 }));
      }
      let sys = system[i] ?? null;
      if (opts.messages === 'json' && sys === null && messages[0]?.role === 'system') {
        sys = messages[0].content;
        messages = messages.slice(1);
      }
      const tc = toolCount[i]!;
      const rf = rfType[i];
      const r: CanonicalRequest = {
        request_id: '',
        timestamp: null,
        feature: '',
        tenant_id: null,
        user_id: null,
        requested_model: null,
        served_model: null,
        provider: null,
        system_prompt: sys,
        messages,
        has_prompt_text: true,
        tools: tc > 0 ? new Array(tc).fill(null) : null,
        response_format: rf === null || rf === undefined ? null : { type: rf },
        max_tokens: num(maxTokens, i),
        temperature: null,
        stream: Number.isNaN(stream[i]!) ? null : stream[i] === 1,
        prompt_tokens: num(promptTokens, i),
        completion_tokens: null,
        reasoning_tokens: null,
        cached_tokens: null,
        cost_usd: null,
        latency_ms: null,
        ttft_ms: null,
        finish_reason: null,
        status: null,
        error: null,
        metadata: JSON.parse(metadata[i] ?? '{}') as Record<string, unknown>,
        source_format: 'openai',
      };
      if (opts.hash === 'js') {
        const ts = num(f('ts_ms'), i);
        r.timestamp = ts === null ? null : new Date(ts);
        r.feature = s('feature')[i]!;
        r.tenant_id = s('tenant_id')[i] ?? null;
        r.user_id = s('user_id')[i] ?? null;
        r.requested_model = s('requested_model')[i] ?? null;
        r.served_model = s('served_model')[i] ?? null;
        r.provider = s('provider')[i] ?? null;
        const tools = s('tools')[i];
        r.tools = tools === null || tools === undefined ? null : (JSON.parse(tools) as unknown[]);
        const rfText = s('response_format')[i];
        r.response_format = rfText === null || rfText === undefined ? null : JSON.parse(rfText);
        r.temperature = num(f('temperature'), i);
        r.completion_tokens = num(f('completion_tokens'), i);
        r.reasoning_tokens = num(f('reasoning_tokens'), i);
        r.cached_tokens = num(f('cached_tokens'), i);
        r.cost_usd = num(f('cost_usd'), i);
        r.latency_ms = num(f('latency_ms'), i);
        r.ttft_ms = num(f('ttft_ms'), i);
        r.finish_reason = s('finish_reason')[i] ?? null;
        r.status = s('status')[i] ?? null;
        r.error = s('error')[i] ?? null;
      }
      reqs[i] = r;
    }
    lap(0);
    const profiles = new Array<ReturnType<typeof classifier.classify>>(n);
    for (let i = 0; i < n; i++) profiles[i] = classifier.classify(reqs[i]!);
    lap(1);
    const out: JobResult = {
      n,
      system: new Array(n),
      messages: new Array(n),
      metadata: new Array(n),
      hash: opts.hash === 'js' ? new Array(n) : null,
      strs: [new Array(n), new Array(n), new Array(n), new Array(n), new Array(n)],
      nums: new Float64Array(n * PROFILE_NUMS),
      bools: new Uint8Array(n * PROFILE_BOOLS),
    };
    for (let i = 0; i < n; i++) {
      const r = reqs[i]!;
      if (opts.delta) {
        // Only what masking changed crosses back (null: SQL keeps or builds the original).
        const sys = r.system_prompt === null ? null : maskText(r.system_prompt, 'redacted');
        let changed = false;
        for (const m of r.messages) if (maskText(m.content, 'redacted') !== m.content) changed = true;
        out.system[i] = sys === r.system_prompt ? null : sys;
        out.messages[i] = changed ? textForStorage(r, noRecord, '', 'redacted', false).messages : null;
        const meta = textForStorage({ ...r, messages: [], system_prompt: null }, noRecord, '', 'redacted', false).metadata;
        out.metadata[i] = meta === metadata[i] ? null : meta;
        continue;
      }
      const text = textForStorage(r, noRecord, '', 'redacted', false);
      out.system[i] = text.system_prompt;
      out.messages[i] = text.messages ?? '[]';
      out.metadata[i] = text.metadata;
    }
    lap(2);
    if (out.hash) for (let i = 0; i < n; i++) out.hash[i] = canonicalHash(reqs[i]!);
    lap(3);
    for (let i = 0; i < n; i++) {
      const p = profiles[i]!;
      out.strs[0]![i] = p.task_type;
      out.strs[1]![i] = p.domain;
      out.strs[2]![i] = p.output_format;
      out.strs[3]![i] = p.language;
      out.strs[4]![i] = JSON.stringify(p.signals);
      const o = i * PROFILE_NUMS;
      out.nums[o] = p.reasoning;
      out.nums[o + 1] = p.latency_sensitivity;
      out.nums[o + 2] = p.safety_risk;
      out.nums[o + 3] = p.policy_sensitivity;
      out.nums[o + 4] = p.context_tokens;
      out.nums[o + 5] = p.complexity;
      const b = i * PROFILE_BOOLS;
      out.bools[b] = p.structured_output ? 1 : 0;
      out.bools[b + 1] = p.needs_tools ? 1 : 0;
      out.bools[b + 2] = p.multimodal ? 1 : 0;
    }
    lap(4);
    parentPort!.postMessage(out, [out.nums.buffer as ArrayBuffer, out.bools.buffer as ArrayBuffer]);
  });
  parentPort!.postMessage('ready');
}

// ---------------------------------------------------------------------------------------------
// The prototype (run in a child process: its CPU and peak RSS are its own).

/** The bench shape's columns for read_json: only what `requests` stores (completion texts are skipped). */
function readJsonColumns(messages: MessagesMode): string {
  const msgType = messages === 'joined' ? 'STRUCT(role VARCHAR, content VARCHAR)[]' : 'JSON';
  const cols: Record<string, string> = {
    id: 'VARCHAR',
    timestamp: 'TIMESTAMP',
    metadata: 'JSON',
    request: `STRUCT(model VARCHAR, messages ${msgType}, temperature DOUBLE, max_tokens BIGINT, stream BOOLEAN, response_format JSON, tools JSON)`,
    response: `STRUCT(model VARCHAR, choices STRUCT(finish_reason VARCHAR)[], usage STRUCT(prompt_tokens BIGINT, completion_tokens BIGINT,
      completion_tokens_details STRUCT(reasoning_tokens BIGINT), prompt_tokens_details STRUCT(cached_tokens BIGINT)))`,
    latency_ms: 'DOUBLE',
    cost_usd: 'DOUBLE',
  };
  return `{${Object.entries(cols)
    .map(([k, v]) => `'${k}': '${v}'`)
    .join(', ')}}`;
}

/** Step 1: the staging table, plain columns as `requests` stores them (see the README paragraph for where it differs). */
function stagingSql(messages: MessagesMode): string {
  const text =
    messages === 'joined'
      ? `CASE WHEN request.messages[1].role = 'system' THEN request.messages[1].content END AS system_text,
         CASE WHEN request.messages[1].role = 'system' THEN request.messages[2:] ELSE request.messages END AS msgs,`
      : `NULL::VARCHAR AS system_text, request.messages AS messages_json,`;
  return `CREATE TEMP TABLE staging AS
    SELECT row_number() OVER () AS rownum,
      id AS request_id,
      "timestamp" AS ts,
      coalesce(nullif(trim(metadata->>'feature'), ''), '(unattributed)') AS feature,
      metadata->>'tenant_id' AS tenant_id,
      metadata->>'user_id' AS user_id,
      request.model AS requested_model,
      response.model AS served_model,
      coalesce(response.model, request.model, 'unknown') AS model,
      NULL::VARCHAR AS provider,
      ${text}
      request.messages IS NOT NULL AS has_prompt_text,
      request.tools AS tools,
      coalesce(json_array_length(request.tools), 0)::INTEGER AS tool_count,
      request.response_format AS response_format,
      request.max_tokens AS max_tokens,
      request.temperature AS temperature,
      request.stream AS stream,
      response.usage.prompt_tokens AS prompt_tokens,
      response.usage.completion_tokens AS completion_tokens,
      response.usage.completion_tokens_details.reasoning_tokens AS reasoning_tokens,
      response.usage.prompt_tokens_details.cached_tokens AS cached_tokens,
      cost_usd,
      latency_ms,
      NULL::DOUBLE AS ttft_ms,
      response.choices[1].finish_reason AS finish_reason,
      NULL::VARCHAR AS status,
      NULL::VARCHAR AS error,
      coalesce(metadata, '{}') AS metadata
    FROM read_json($1, format = 'newline_delimited', columns = ${readJsonColumns(messages)})`;
}

/**
 * The canonical JSON text canonicalHash hashes, built in SQL for this shape (--hash sql). Where it
 * cannot match JavaScript byte for byte: nested objects' keys are not sorted (tools), numbers are
 * DuckDB's shortest form (JS prints whole doubles without `.0` and switches to exponents at other
 * places), and JSON string escaping is yyjson's.
 */
const NUM = (c: string) => `coalesce(CASE WHEN ${c} = trunc(${c}) AND abs(${c}) < 1e15 THEN (${c})::BIGINT::VARCHAR ELSE (${c})::VARCHAR END, 'null')`;
const STR = (c: string) => `coalesce(to_json(${c})::VARCHAR, 'null')`;
const SORTED_OBJECT = (c: string) =>
  `CASE WHEN ${c} IS NULL THEN 'null' WHEN json_type(${c}) = 'OBJECT' THEN to_json('{' || array_to_string(list_transform(list_sort(json_keys(${c})), k -> to_json(k)::VARCHAR || ':' || json_extract(${c}, '$."' || k || '"')::VARCHAR), ',') || '}')::VARCHAR ELSE to_json((${c})::VARCHAR)::VARCHAR END`;
const CANONICAL_SQL = `'[' || coalesce(epoch_ms(s.ts)::VARCHAR, 'null') || ',' || ${STR('s.feature')} || ',' || ${STR('s.tenant_id')} || ',' || ${STR('s.user_id')} || ',' ||
  ${STR('s.requested_model')} || ',' || ${STR('s.served_model')} || ',' || ${STR('s.provider')} || ',' || ${STR('s.system_text')} || ',[' ||
  array_to_string(list_transform(s.msgs, m -> '[' || ${STR('m.role')} || ',' || ${STR("coalesce(m.content, '')")} || ',0]'), ',') || '],' ||
  CASE WHEN s.has_prompt_text THEN 'true' ELSE 'false' END || ',' || CASE WHEN s.tools IS NULL THEN 'null' ELSE to_json(s.tools::VARCHAR)::VARCHAR END || ',' ||
  ${SORTED_OBJECT('s.response_format')} || ',' || ${NUM('s.max_tokens')} || ',' || ${NUM('s.temperature')} || ',' ||
  coalesce(s.stream::VARCHAR, 'null') || ',' || ${NUM('s.prompt_tokens')} || ',' || ${NUM('s.completion_tokens')} || ',' || ${NUM('s.reasoning_tokens')} || ',' ||
  ${NUM('s.cached_tokens')} || ',' || ${NUM('s.cost_usd')} || ',' || ${NUM('s.latency_ms')} || ',' || ${NUM('s.ttft_ms')} || ',' ||
  ${STR('s.finish_reason')} || ',' || ${STR('s.status')} || ',' || ${STR('s.error')} || ',' || ${SORTED_OBJECT('s.metadata')} || ']'`;

interface StepFigures {
  name: string;
  wallS: number;
  cpuS: number;
  /** The main JS thread's own CPU in the step. */
  mainCpuS: number;
  peakRssMb: number;
  note?: string;
}

interface ChildReport {
  rows: number;
  steps: StepFigures[];
  workerCpuS: number;
  workerPhasesS: Record<string, number>;
  /** Main-thread CPU inside step 2 by part: fetch (fetchChunk + getColumnValues), submit (postMessage), append. */
  mainPartsS: Record<string, number>;
  lines: number;
}

function peakRssMb(): number {
  const m = /VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

function resetPeakRss(): void {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
  } catch {
    /* then peaks are cumulative */
  }
}

/** Times a step: wall, process CPU, main-thread CPU, peak RSS. */
async function step<T>(steps: StepFigures[], name: string, fn: () => Promise<T>): Promise<T> {
  resetPeakRss();
  const w0 = performance.now();
  const c0 = process.cpuUsage();
  const m0 = threadCpuNs();
  const out = await fn();
  const c = process.cpuUsage(c0);
  steps.push({ name, wallS: (performance.now() - w0) / 1000, cpuS: (c.user + c.system) / 1e6, mainCpuS: (threadCpuNs() - m0) / 1e9, peakRssMb: peakRssMb() });
  return out;
}

/** Step 0: the file's sha256 and its line count, read once (what skip-unchanged and the reject check need). */
async function hashAndCountLines(file: string): Promise<{ sha: string; lines: number }> {
  const hash = createHash('sha256');
  let lines = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
  }
  return { sha: hash.digest('hex'), lines };
}

class WorkerPool {
  private readonly workers: Worker[] = [];
  private next = 0;
  private readonly queues: ((r: JobResult) => void)[][] = [];

  static async start(n: number, opts: { messages: MessagesMode; hash: HashMode; delta: boolean; blob: boolean }): Promise<WorkerPool> {
    const pool = new WorkerPool();
    const boot = `import('tsx/esm/api').then((t) => { t.register(); return import(${JSON.stringify(import.meta.url)}); });`;
    await Promise.all(
      Array.from({ length: n }, (_, i) => {
        const w = new Worker(boot, { eval: true, workerData: opts, resourceLimits: { maxOldGenerationSizeMb: 192, maxYoungGenerationSizeMb: 96 } });
        pool.workers.push(w);
        pool.queues.push([]);
        return new Promise<void>((ready, fail) => {
          w.once('error', fail);
          w.once('message', () => {
            w.on('message', (r: JobResult) => pool.queues[i]!.shift()!(r));
            ready();
          });
        });
      }),
    );
    return pool;
  }

  /** Round robin: jobs are of equal size, and results come back in order per worker. */
  submit(job: Job): Promise<JobResult> {
    const i = this.next++ % this.workers.length;
    const transfer = [...Object.values(job.cols), ...(job.blob ? [job.blob] : [])].flatMap((c) => (c instanceof Float64Array || c instanceof Uint8Array ? [c.buffer as ArrayBuffer] : []));
    return new Promise((res) => {
      this.queues[i]!.push(res);
      this.workers[i]!.postMessage({ job }, transfer);
    });
  }

  async report(): Promise<{ cpuNs: number; phaseNs: number[] }[]> {
    return Promise.all(
      this.workers.map(
        (w, i) =>
          new Promise<{ cpuNs: number; phaseNs: number[] }>((res) => {
            this.queues[i]!.push(res as unknown as (r: JobResult) => void);
            w.postMessage({ report: true });
          }),
      ),
    );
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** Appends one job's results into `masked` (rownums from the job it answers). */
function appendResult(app: DuckDBAppender, rownums: Float64Array, r: JobResult, withHash: boolean): void {
  const [task, domain, format, language, signals] = r.strs as [string[], string[], string[], string[], string[]];
  for (let i = 0; i < r.n; i++) {
    app.appendInteger(rownums[i]!);
    const sys = r.system[i];
    if (sys === null || sys === undefined) app.appendNull();
    else app.appendVarchar(sys);
    const msgs = r.messages[i];
    if (msgs === null || msgs === undefined) app.appendNull();
    else app.appendVarchar(msgs);
    const meta = r.metadata[i];
    if (meta === null || meta === undefined) app.appendNull();
    else app.appendVarchar(meta);
    if (withHash) app.appendVarchar(r.hash![i]!);
    const o = i * PROFILE_NUMS;
    const b = i * PROFILE_BOOLS;
    app.appendVarchar(task[i]!);
    app.appendVarchar(domain[i]!);
    app.appendDouble(r.nums[o]!);
    app.appendVarchar(format[i]!);
    app.appendBoolean(r.bools[b] === 1);
    app.appendDouble(r.nums[o + 1]!);
    app.appendDouble(r.nums[o + 2]!);
    app.appendDouble(r.nums[o + 3]!);
    app.appendInteger(r.nums[o + 4]!);
    app.appendBoolean(r.bools[b + 1] === 1);
    app.appendBoolean(r.bools[b + 2] === 1);
    app.appendVarchar(language[i]!);
    app.appendDouble(r.nums[o + 5]!);
    app.appendVarchar(signals[i]!);
    app.endRow();
  }
  app.flushSync();
}

/** Step 2: stream the prompt texts out, classify and mask them in workers, append the results. */
async function streamClassifyMask(conn: DuckDBConnection, pool: WorkerPool, args: Args, parts: Record<string, number>): Promise<{ workerCpuS: number; workerPhasesS: Record<string, number> }> {
  const cols = streamColumns(args.messages, args.hash);
  const withHash = args.hash === 'js';
  await conn.run(
    `CREATE TEMP TABLE masked (rownum INTEGER, system_prompt VARCHAR, messages VARCHAR, metadata VARCHAR, ${withHash ? 'content_sha256 VARCHAR,' : ''}
      task_type VARCHAR, domain VARCHAR, reasoning DOUBLE, output_format VARCHAR, structured_output BOOLEAN, latency_sensitivity DOUBLE,
      safety_risk DOUBLE, policy_sensitivity DOUBLE, context_tokens INTEGER, needs_tools BOOLEAN, multimodal BOOLEAN, language VARCHAR,
      complexity DOUBLE, signals VARCHAR)`,
  );
  const app = await conn.createAppender('masked', 'main', 'temp');
  const inflight: { rownums: Float64Array; result: Promise<JobResult> }[] = [];
  const limit = Math.max(1, args.workers * 2);
  let t = threadCpuNs();
  const lap = (part: string) => {
    const now = threadCpuNs();
    parts[part] = (parts[part] ?? 0) + (now - t) / 1e9;
    t = now;
  };
  const drainTo = async (max: number) => {
    while (inflight.length > max) {
      const head = inflight.shift()!;
      const r = await head.result;
      lap('wait');
      appendResult(app, head.rownums, r, withHash);
      lap('append');
    }
  };
  // One streamed query per job, by row-number range (zone maps skip the other row groups): an
  // Appender flush on the streaming connection ends a pending stream (measured: only the first
  // 4 jobs arrived), and both tables are TEMP, so one connection, one transaction.
  const select = `SELECT ${cols.map((c) => `${c.sql} AS ${c.name}`).join(', ')} FROM staging WHERE rownum BETWEEN $1 AND $2`;
  const total = Number((await conn.runAndReadAll('SELECT count(*) FROM staging')).getRows()[0]![0]);
  for (let first = 1; first <= total && args.blob; first += args.jobRows) {
    const res = await conn.runAndReadAll(BLOB_SQL, [first, first + args.jobRows - 1]);
    const [b, n] = res.getRows()[0]! as [DuckDBBlobValue | null, bigint];
    const rows = Number(n);
    const rownums = new Float64Array(rows);
    for (let i = 0; i < rows; i++) rownums[i] = first + i;
    lap('fetch');
    inflight.push({ rownums, result: pool.submit({ n: rows, cols: {}, blob: b ? b.bytes.slice() : new Uint8Array() }) });
    lap('submit');
    await drainTo(limit - 1);
  }
  for (let first = 1; first <= total && !args.blob; first += args.jobRows) {
    const result = await conn.stream(select, [first, first + args.jobRows - 1]);
    const chunks: DuckDBDataChunk[] = [];
    let rows = 0;
    for (let ch = await result.fetchChunk(); ch && ch.rowCount > 0; ch = await result.fetchChunk()) {
      chunks.push(ch);
      rows += ch.rowCount;
    }
    const job: Job = { n: rows, cols: {} };
    cols.forEach((c, k) => {
      if (c.kind === 'num') {
        const a = new Float64Array(rows);
        let o = 0;
        for (const ch of chunks) {
          const vals = ch.getColumnValues(k);
          for (let j = 0; j < vals.length; j++) a[o++] = vals[j] === null ? Number.NaN : (vals[j] as number);
        }
        job.cols[c.name] = a;
      } else {
        const a: (string | null)[] = [];
        for (const ch of chunks) for (const v of ch.getColumnValues(k)) a.push(v as string | null);
        job.cols[c.name] = a;
      }
    });
    lap('fetch');
    const rownums = (job.cols.rownum as Float64Array).slice();
    inflight.push({ rownums, result: pool.submit(job) });
    lap('submit');
    await drainTo(limit - 1);
  }
  await drainTo(0);
  app.closeSync();
  lap('append');
  const reports = await pool.report();
  await pool.close();
  const workerPhasesS: Record<string, number> = {};
  PHASES.forEach((p, i) => (workerPhasesS[p] = reports.reduce((s, r) => s + r.phaseNs[i]!, 0) / 1e9));
  return { workerCpuS: reports.reduce((s, r) => s + r.cpuNs, 0) / 1e9, workerPhasesS };
}

const REQUEST_COLUMNS = `request_id, ts, feature, tenant_id, user_id, requested_model, served_model, model, provider, system_prompt, messages,
  has_prompt_text, tools, tool_count, response_format, max_tokens, temperature, stream, prompt_tokens, completion_tokens, reasoning_tokens,
  cached_tokens, cost_usd, latency_ms, ttft_ms, finish_reason, status, error, metadata, source_format, source_file, source_line, content_sha256,
  raw, ingested_at, store_text`;

async function prototype(args: Args, dbPath: string): Promise<ChildReport> {
  const imp = (p: string) => import(pathToFileURL(join(DIST, p)).href);
  const { PnyxDb } = (await imp('db/database.js')) as typeof import('../src/db/database.js');
  const { CLASSIFIER_VERSION } = (await imp('core/classifier/index.js')) as typeof ClassifierIndex;
  const steps: StepFigures[] = [];
  const db = await PnyxDb.open(dbPath);
  const conn = db.conn;
  const file = args.file;
  const { lines } = await step(steps, '0 file sha256 + line count (JS, main thread)', () => hashAndCountLines(file));
  await conn.run('BEGIN TRANSACTION');
  await step(steps, '1 read_json → TEMP staging (plain columns in SQL)', () => conn.run(stagingSql(args.messages), [file]));
  const rows = Number((await conn.runAndReadAll('SELECT count(*) FROM staging')).getRows()[0]![0]);
  if (rows !== lines) process.stderr.write(`sqlpath: read_json gave ${rows} rows for ${lines} lines: the real thing would fall back to the JS path here\n`);
  // Started apart from step 2: this experiment's workers boot tsx and transpile this script
  // (~1 s CPU each), which the real workers (dist/ JavaScript) would not.
  const pool = await step(steps, '2a start workers (tsx boot: an artifact of this script)', () => WorkerPool.start(args.workers, { messages: args.messages, hash: args.hash, delta: args.delta, blob: args.blob }));
  const parts: Record<string, number> = {};
  const w = await step(steps, '2 stream → workers (classify + mask) → append masked', () => streamClassifyMask(conn, pool, args, parts));
  const text = args.delta
    ? {
        system: 'coalesce(m.system_prompt, s.system_text)',
        messages: `coalesce(m.messages, to_json(list_transform(s.msgs, x -> {'role': coalesce(x.role, 'user'), 'content': coalesce(x.content, ''), 'attachments': 0}))::VARCHAR)`,
        metadata: 'coalesce(m.metadata, s.metadata::VARCHAR)',
      }
    : { system: 'm.system_prompt', messages: 'm.messages', metadata: 'm.metadata' };
  const hashSql = args.hash === 'js' ? 'm.content_sha256' : args.hash === 'sql' ? `sha256(${CANONICAL_SQL})` : `'(not computed)'`;
  await step(steps, '3 INSERT requests + profiles (join on rownum, first copy wins), COMMIT', async () => {
    const masked = Number((await conn.runAndReadAll('SELECT count(*) FROM masked')).getRows()[0]![0]);
    if (masked !== rows) throw new Error(`masked holds ${masked} rows for ${rows} staged: a job was lost`);
    // masked was appended in row-number order (jobs are drained in order): a POSITIONAL JOIN
    // pairs the rows without hashing either side; checked here rather than assumed.
    const misplaced = Number((await conn.runAndReadAll('SELECT count(*) FROM staging s POSITIONAL JOIN masked m WHERE s.rownum IS DISTINCT FROM m.rownum')).getRows()[0]![0]);
    if (misplaced !== 0) throw new Error(`${misplaced} masked rows out of row-number order`);
    await conn.run('CREATE TEMP TABLE firsts AS SELECT min(rownum) AS rownum FROM staging GROUP BY request_id');
    await conn.run(
      `INSERT INTO requests (${REQUEST_COLUMNS})
       SELECT s.request_id, s.ts, s.feature, s.tenant_id, s.user_id, s.requested_model, s.served_model, s.model, s.provider, ${text.system}, ${text.messages},
         s.has_prompt_text, s.tools, s.tool_count, s.response_format, s.max_tokens, s.temperature, s.stream, s.prompt_tokens, s.completion_tokens,
         s.reasoning_tokens, s.cached_tokens, s.cost_usd, s.latency_ms, s.ttft_ms, s.finish_reason, s.status, s.error, ${text.metadata}, 'openai', $1,
         s.rownum, ${hashSql}, NULL, now()::TIMESTAMP, 'redacted'
       FROM staging s POSITIONAL JOIN masked m SEMI JOIN firsts f ON f.rownum = s.rownum
       WHERE s.request_id NOT IN (SELECT request_id FROM requests)`,
      [file],
    );
    await conn.run(
      `INSERT INTO profiles SELECT s.request_id, $1, m.task_type, m.domain, m.reasoning, m.output_format, m.structured_output, m.latency_sensitivity,
         m.safety_risk, m.policy_sensitivity, m.context_tokens, m.needs_tools, m.multimodal, m.language, m.complexity,
         CAST(m.signals AS JSON)::VARCHAR[], now()::TIMESTAMP
       FROM staging s POSITIONAL JOIN masked m SEMI JOIN firsts f ON f.rownum = s.rownum`,
      [CLASSIFIER_VERSION],
    );
    await conn.run('DROP TABLE firsts');
    await conn.run('DROP TABLE masked');
    await conn.run('DROP TABLE staging');
    await conn.run('COMMIT');
  });
  db.close();
  return { rows, steps, workerCpuS: w.workerCpuS, workerPhasesS: w.workerPhasesS, mainPartsS: parts, lines };
}

// ---------------------------------------------------------------------------------------------
// The orchestrator: each variant in a child process, alternating, medians over rounds.

/** Runs a step (scripts/measure.ts); the study needs GNU time's CPU figure, and a failed step stops it. */
async function measured(cmd: string, cmdArgs: string[]): Promise<Measured> {
  if (!existsSync(TIME)) throw new Error(`${TIME} is needed (GNU time)`);
  const m = await measure(cmd, cmdArgs);
  check(`${cmd} ${cmdArgs.join(' ')}`, m);
  return m;
}

const BASELINE = `
const { DuckDBInstance } = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'node_modules/@duckdb/node-api/lib/index.js')).href)});
const [input, db] = process.argv.slice(1);
const inst = await DuckDBInstance.create(db);
const conn = await inst.connect();
await conn.run('CREATE TABLE t AS SELECT * FROM read_json($1)', [input]);
`;

/** How many cores (a) keeps busy on a quiet 2-core machine: 23.6 s CPU in 16.9 s wall at 1M rows (docs/PERFORMANCE_LOG.md, "Fifth pass"). */
const A_PARALLELISM = 1.4;

const fresh = (p: string): string => {
  for (const f of [p, `${p}.wal`]) rmSync(f, { force: true });
  return p;
};

/** Per column, how many rows of the prototype differ from analyze's (same request id). */
async function compare(protoDb: string, analyzeDb: string): Promise<Record<string, number>> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const inst = await DuckDBInstance.create(':memory:');
  const conn = await inst.connect();
  await conn.run(`ATTACH '${protoDb.replace(/'/g, "''")}' AS p (READ_ONLY)`);
  await conn.run(`ATTACH '${analyzeDb.replace(/'/g, "''")}' AS b (READ_ONLY)`);
  const reqCols = REQUEST_COLUMNS.split(',')
    .map((c) => c.trim())
    .filter((c) => !['source_file', 'ingested_at', 'raw'].includes(c));
  const profCols = ['task_type', 'domain', 'reasoning', 'output_format', 'structured_output', 'latency_sensitivity', 'safety_risk', 'policy_sensitivity', 'context_tokens', 'needs_tools', 'multimodal', 'language', 'complexity', 'signals'];
  const sel = (cols: string[], a: string, b: string) => cols.map((c) => `count(*) FILTER (WHERE ${a}.${c}::VARCHAR IS DISTINCT FROM ${b}.${c}::VARCHAR) AS "${c}"`).join(', ');
  const out: Record<string, number> = {};
  const read = async (sql: string, prefix: string) => {
    const r = await conn.runAndReadAll(sql);
    const row = r.getRows()[0]!;
    r.columnNames().forEach((n, i) => (out[prefix + n] = Number(row[i])));
  };
  await read(`SELECT (SELECT count(*) FROM p.requests) AS rows_p, (SELECT count(*) FROM b.requests) AS rows_b, count(*) AS joined FROM p.requests x JOIN b.requests y USING (request_id)`, '');
  await read(`SELECT ${sel(reqCols.filter((c) => c !== 'request_id'), 'x', 'y')} FROM p.requests x JOIN b.requests y USING (request_id)`, 'requests.');
  await read(`SELECT (SELECT count(*) FROM p.profiles) AS rows, ${sel(profCols, 'x', 'y')} FROM p.profiles x JOIN b.profiles y USING (request_id)`, 'profiles.');
  conn.closeSync();
  inst.closeSync();
  return out;
}

/** A prototype variant `p[:joined|json][:none|js|sql]`: its own flags over the command line's. */
function protoFlags(v: string, args: Args): { messages: MessagesMode; hash: HashMode; delta: boolean; blob: boolean } {
  const f = { messages: args.messages, hash: args.hash, delta: args.delta, blob: args.blob };
  for (const part of v.split(':').slice(1)) {
    if (part === 'joined' || part === 'json') f.messages = part;
    else if (part === 'none' || part === 'js' || part === 'sql') f.hash = part;
    else if (part === 'delta') f.delta = true;
    else if (part === 'blob') f.blob = true;
    else throw new Error(`unknown prototype option ${part} in ${v}`);
  }
  return f;
}

function variantName(v: string, args: Args): string {
  if (v === 'a') return '(a) DuckDB read_json alone';
  if (v === 'b') return '(b) pnyx analyze (current path)';
  const f = protoFlags(v, args);
  return `(${v}) prototype, messages ${f.messages}, hash ${f.hash}${f.delta ? ', masked text only where changed' : ''}${f.blob ? ', one BLOB per job' : ''}`;
}

async function orchestrate(args: Args): Promise<void> {
  const out = (s: string) => process.stdout.write(`${s}\n`);
  const dir = args.dir ? resolve(args.dir) : mkdtempSync(join(tmpdir(), 'pnyx-sqlpath-'));
  mkdirSync(dir, { recursive: true });
  for (const v of args.variants) if (v !== 'a' && v !== 'b' && !v.startsWith('p')) throw new Error(`unknown variant ${v} (a, b, p[:joined|json][:none|js|sql])`);
  out(`machine: ${cpus().length} cores, node ${process.version}; file ${args.file}`);
  out(`prototype: --workers ${args.workers} --job-rows ${args.jobRows}; variants ${args.variants.join(', ')}`);
  const self = fileURLToPath(import.meta.url);
  const results: Record<string, { m: Measured; report?: ChildReport }[]> = {};
  const protoDb = (v: string) => join(dir, `proto-${v.replace(/:/g, '-')}.duckdb`);
  let rows = 0;
  for (let round = 0; round < args.rounds; round++) {
    // Alternate the order: each variant goes first in some round.
    const order = args.variants.map((_, i) => args.variants[(i + round) % args.variants.length]!);
    out(`round ${round + 1}: load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
    for (const v of order) {
      let m: Measured;
      let report: ChildReport | undefined;
      if (v === 'a') m = await measured(process.execPath, ['--input-type=module', '-e', BASELINE, args.file, fresh(join(dir, 'baseline.duckdb'))]);
      else if (v === 'b') m = await measured(process.execPath, [BIN, 'analyze', args.file, '--quiet', '--db', fresh(join(dir, 'analyze.duckdb'))]);
      else {
        const f = protoFlags(v, args);
        const flags = ['--workers', String(args.workers), '--job-rows', String(args.jobRows), '--messages', f.messages, '--hash', f.hash, ...(f.delta ? ['--delta'] : []), ...(f.blob ? ['--blob'] : [])];
        m = await measured(process.execPath, [...process.execArgv, self, args.file, ...flags, '--child', fresh(protoDb(v))]);
        report = JSON.parse(m.stdout.trim().split('\n').pop()!) as ChildReport;
        rows = report.rows;
        if (m.stderr.trim()) out(`  (${v}) stderr: ${m.stderr.trim()}`);
      }
      (results[v] ??= []).push({ m, report });
      out(`  (${v}) ${m.seconds.toFixed(1)} s wall, ${m.cpuSeconds.toFixed(1)} s CPU, peak RSS ${m.peakRssMb.toFixed(0)} MB`);
    }
    if (args.check && round === 0 && results.b) {
      for (const v of args.variants.filter((x) => x.startsWith('p'))) {
        const diff = await compare(protoDb(v), join(dir, 'analyze.duckdb'));
        const differing = Object.entries(diff).filter(([k, n]) => k.includes('.') && !k.endsWith('.rows') && n > 0);
        out(`  check (${v}) vs (b): ${diff.rows_p} vs ${diff.rows_b} requests, ${diff.joined} with the same id, ${diff['profiles.rows']} profiles; columns differing: ${differing.length === 0 ? 'none' : differing.map(([k, n]) => `${k} ${n}`).join(', ')}`);
      }
    }
  }
  out(`load average after: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  if (rows === 0) rows = Number(readFileSync(args.file, 'utf8').split('\n').filter((l) => l.trim()).length);
  const us = (sec: number) => ((sec * 1e6) / rows).toFixed(1);
  const med = (v: string, f: (m: Measured) => number) => median(results[v]!.map((r) => f(r.m)));
  out('');
  out(`medians of ${args.rounds} round(s), ${rows.toLocaleString('en-US')} rows`);
  // A prototype's cost is its steps' CPU: the process also boots tsx (here and in each worker),
  // which the real thing would not.
  const stepsCpu = (v: string) => median(results[v]!.map((r) => r.report!.steps.filter((x) => !x.name.startsWith('2a')).reduce((t, x) => t + x.cpuS, 0)));
  const cost = (v: string) => (v.startsWith('p') ? stepsCpu(v) : med(v, (m) => m.cpuSeconds));
  out('| variant | wall s | CPU s (process) | CPU s (steps, without tsx boot) | CPU µs/row | peak RSS MB |');
  out('|---|---|---|---|---|---|');
  for (const v of args.variants) {
    out(
      `| ${variantName(v, args)} | ${med(v, (m) => m.seconds).toFixed(1)} | ${med(v, (m) => m.cpuSeconds).toFixed(1)} | ${v.startsWith('p') ? stepsCpu(v).toFixed(1) : ''} | ${us(cost(v))} | ${med(v, (m) => m.peakRssMb).toFixed(0)} |`,
    );
  }
  for (const v of args.variants.filter((x) => x.startsWith('p'))) {
    const p = results[v]!.map((r) => r.report!);
    out('');
    out(`${variantName(v, args)}, by step (medians):`);
    out('| step | wall s | CPU s | CPU µs/row | main thread µs/row | peak RSS MB |');
    out('|---|---|---|---|---|---|');
    p[0]!.steps.forEach((st, i) => {
      const col = (f: (x: StepFigures) => number) => median(p.map((r) => f(r.steps[i]!)));
      out(`| ${st.name} | ${col((x) => x.wallS).toFixed(2)} | ${col((x) => x.cpuS).toFixed(2)} | ${us(col((x) => x.cpuS))} | ${us(col((x) => x.mainCpuS))} | ${col((x) => x.peakRssMb).toFixed(0)} |`);
    });
    out(`step 2, worker threads: ${us(median(p.map((r) => r.workerCpuS)))} µs/row (${PHASES.map((ph) => `${ph} ${us(median(p.map((r) => r.workerPhasesS[ph]!)))}`).join(', ')})`);
    out(`step 2, main thread: ${Object.keys(p[0]!.mainPartsS).map((k) => `${k} ${us(median(p.map((r) => r.mainPartsS[k] ?? 0)))}`).join(', ')} µs/row`);
    const other = median(
      p.map((r) => {
        const st = r.steps.find((x) => x.name.startsWith('2 '))!;
        return st.cpuS - st.mainCpuS - r.workerCpuS;
      }),
    );
    out(`step 2, other threads (DuckDB scans + V8 GC helpers): ${us(other)} µs/row`);
  }
  if (results.a) {
    out('');
    const a = med('a', (m) => m.cpuSeconds);
    for (const v of args.variants.filter((x) => x !== 'a')) {
      const cpu = cost(v);
      out(`CPU ratio (${v})/(a): ${(cpu / a).toFixed(2)}; projected wall ratio on a quiet 2-core machine: ${(cpu / 1.8 / (a / A_PARALLELISM)).toFixed(2)} (wall ≈ CPU / 1.8; (a) ≈ CPU / ${A_PARALLELISM})`);
    }
  }
  writeFileSync(join(dir, 'sqlpath.json'), JSON.stringify({ args, rows, results }, null, 2));
  if (!args.keep && !args.dir) rmSync(dir, { recursive: true, force: true });
  else out(`databases and sqlpath.json kept in ${dir}`);
}

if (!isMainThread) {
  await workerMain();
} else {
  const args = parseArgs(process.argv.slice(2));
  try {
    if (args.child) process.stdout.write(`${JSON.stringify(await prototype(args, args.child))}\n`);
    else await orchestrate(args);
  } catch (err) {
    process.stderr.write(`bench-sqlpath: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  }
}
