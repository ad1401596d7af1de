import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { PnyxError } from '../core/errors.js';
import { parseOpenRouterResponse, toCatalogModel, type OpenRouterModelsResponse } from '../core/catalog/openrouter.js';
import { DEFAULT_RETRY_POLICY, isRetryableStatus, retryDelayMs, type RetryPolicy } from '../core/catalog/retry.js';
import { isSuspiciousShrink } from '../core/catalog/shrink.js';
import { currentSnapshot, ensureBundledCatalog, storeSnapshot, type NewSnapshot, type SnapshotInfo } from '../db/catalog.js';
import { featureModelUsage } from '../db/catalogDiff.js';
import type { PnyxDb } from '../db/database.js';

export const OPENROUTER_MODELS_URL = 'https://openrouter.ai/api/v1/models';

export interface SyncOptions {
  url?: string;
  file?: string;
  timeoutMs: number;
  /** Snapshot date (YYYY-MM-DD); default: the file's `snapshot_date` field, else today (UTC). */
  date?: string;
  policy?: RetryPolicy;
  /** Called before each retry, for the terminal. */
  onRetry?: (info: { attempt: number; reason: string; delayMs: number }) => void;
  now?: () => Date;
}

export interface SyncResult {
  snapshot: SnapshotInfo;
  created: boolean;
  attempts: number;
  source: string;
  /** Set when --allow-shrink stored a snapshot listing fewer than half of the previous one's models. */
  shrank: { from: number; to: number } | null;
  /** Catalog ids that stored requests run on (matched in the previous snapshot) and the new one lacks; most requests first. */
  usedModelsGone: string[];
}

export interface StoreOptions {
  /** Store a snapshot even when it lists fewer than half of the current snapshot's models. */
  allowShrink?: boolean;
}

/** A fetched and validated response, ready to store. */
export interface FetchedCatalog {
  snapshot: NewSnapshot;
  attempts: number;
}

/**
 * Fetches (or reads) an OpenRouter /models response and validates it. Needs no database: a
 * slow or failing network never holds the database lock, and a bad response never reaches it.
 */
export async function fetchCatalog(opts: SyncOptions): Promise<FetchedCatalog> {
  let text: string;
  let where: string;
  let source: string;
  let attempts = 0;
  if (opts.date !== undefined && (!/^\d{4}-\d{2}-\d{2}$/.test(opts.date) || Number.isNaN(Date.parse(opts.date)))) {
    throw new PnyxError('usage', `--date must be YYYY-MM-DD, got "${opts.date}"`);
  }
  if (opts.file) {
    where = opts.file;
    source = `file:${basename(opts.file)}`;
    text = readCatalogFile(opts.file);
  } else {
    const url = opts.url ?? OPENROUTER_MODELS_URL;
    where = url;
    source = opts.url ? `url:${url}` : 'openrouter';
    const r = await fetchWithRetries(url, opts);
    text = r.text;
    attempts = r.attempts;
  }
  const response = parseCatalogText(text, where);
  const today = (opts.now?.() ?? new Date()).toISOString().slice(0, 10);
  const embedded = (response as { snapshot_date?: unknown }).snapshot_date;
  const date = opts.date ?? (typeof embedded === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(embedded) ? embedded : today);
  return {
    attempts,
    snapshot: {
      source,
      origin: where,
      snapshot_date: date,
      sha256: createHash('sha256').update(JSON.stringify(response.data)).digest('hex'),
      models: response.data.map(toCatalogModel),
      raws: response.data,
    },
  };
}

/**
 * Stores a fetched catalog as a dated snapshot (idempotent when unchanged). Refuses, before any
 * write, a snapshot listing fewer than half of the current snapshot's models unless `allowShrink`.
 */
export async function storeFetchedCatalog(db: PnyxDb, fetched: FetchedCatalog, opts: StoreOptions = {}): Promise<SyncResult> {
  await ensureBundledCatalog(db);
  const previous = await currentSnapshot(db);
  const count = fetched.snapshot.models.length;
  const shrinks = previous !== undefined && isSuspiciousShrink(previous.model_count, count);
  if (previous && shrinks && !opts.allowShrink) {
    const where = fetched.snapshot.origin ?? fetched.snapshot.source;
    throw new PnyxError(
      'catalog',
      `${where}: lists ${count} models, fewer than half of the ${previous.model_count} in the current catalog (snapshot #${previous.snapshot_id}, ${previous.snapshot_date}, ${previous.source}); ` +
        'a filtered or partial response? Nothing was stored; pass --allow-shrink to store it anyway',
    );
  }
  const { snapshot, created } = await storeSnapshot(db, fetched.snapshot);
  return {
    snapshot,
    created,
    attempts: fetched.attempts,
    source: fetched.snapshot.source,
    shrank: previous && shrinks && created ? { from: previous.model_count, to: count } : null,
    usedModelsGone: previous && created ? await usedModelsGone(db, previous.snapshot_id, fetched.snapshot.models) : [],
  };
}

/** Catalog ids of `snapshotId` that the stored requests run on and `models` lacks, most requests first. */
async function usedModelsGone(db: PnyxDb, snapshotId: number, models: readonly { id: string }[]): Promise<string[]> {
  const kept = new Set(models.map((m) => m.id));
  const requests = new Map<string, number>();
  for (const u of await featureModelUsage(db, [snapshotId, snapshotId])) {
    if (!kept.has(u.catalog_id)) requests.set(u.catalog_id, (requests.get(u.catalog_id) ?? 0) + Number(u.requests));
  }
  return [...requests].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([id]) => id);
}

function readCatalogFile(path: string): string {
  try {
    if (statSync(path).isDirectory()) throw new PnyxError('input', `${path}: is a directory`);
    return readFileSync(path, 'utf8');
  } catch (err) {
    if (err instanceof PnyxError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new PnyxError('input', code === 'ENOENT' ? `${path}: no such file` : `${path}: cannot read (${code ?? String(err)})`);
  }
}

/** Parses and validates a /models body; every failure is one clear line naming where it came from. */
export function parseCatalogText(text: string, where: string): OpenRouterModelsResponse {
  const trimmed = text.trimStart();
  if (trimmed === '') throw new PnyxError('catalog', `${where}: empty response, expected OpenRouter /models JSON`);
  if (trimmed.startsWith('<')) throw new PnyxError('catalog', `${where}: got an HTML/XML page instead of OpenRouter /models JSON (error page or captive portal?)`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    const truncated = /Unexpected end|Unterminated|end of JSON/i.test(msg);
    throw new PnyxError('catalog', `${where}: ${truncated ? 'truncated JSON (the response ended early)' : 'not valid JSON'}: ${msg.split('\n')[0]}`);
  }
  const parsed = parseOpenRouterResponse(json);
  if (!parsed.ok) throw new PnyxError('catalog', `${where}: not an OpenRouter /models response (schema changed?): ${parsed.error}`);
  if (parsed.response.data.length === 0) throw new PnyxError('catalog', `${where}: the response lists no models`);
  return parsed.response;
}

function isJsonContentType(ct: string | null): boolean {
  if (ct === null || ct.trim() === '') return true; // absent: judge by the body
  const t = (ct.split(';')[0] ?? '').trim().toLowerCase();
  return t === 'application/json' || t.endsWith('+json') || t === 'text/json';
}

/** The headers arrived but the body did not: retryable like a connection error. */
class BodyError extends Error {
  constructor(message: string, cause: unknown) {
    super(message, { cause });
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function fetchWithRetries(url: string, opts: SyncOptions): Promise<{ text: string; attempts: number }> {
  const policy = opts.policy ?? DEFAULT_RETRY_POLICY;
  for (let attempt = 1; ; attempt++) {
    let reason: string;
    let retryAfter: string | null = null;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), opts.timeoutMs);
    try {
      const res = await fetch(url, { signal: controller.signal, headers: { accept: 'application/json', 'user-agent': 'pnyx catalog sync' } });
      if (res.ok) {
        const ct = res.headers.get('content-type');
        let text: string;
        try {
          text = await res.text();
        } catch (err) {
          throw new BodyError(controller.signal.aborted ? `timed out after ${opts.timeoutMs} ms while reading the response` : 'response body cut off (truncated)', err);
        }
        if (!isJsonContentType(ct)) {
          throw new PnyxError('catalog', `${url}: wrong content type "${ct}", expected application/json${text.trimStart().startsWith('<') ? ' (got an HTML page)' : ''}`);
        }
        return { text, attempts: attempt };
      }
      await res.body?.cancel().catch(() => undefined);
      if (!isRetryableStatus(res.status)) {
        throw new PnyxError('network', `${url}: HTTP ${res.status} ${res.statusText}`.trim());
      }
      reason = `HTTP ${res.status} ${res.statusText}`.trim();
      retryAfter = res.headers.get('retry-after');
    } catch (err) {
      if (err instanceof PnyxError) throw err;
      if (err instanceof BodyError) reason = err.message;
      else if (controller.signal.aborted) reason = `timed out after ${opts.timeoutMs} ms`;
      else reason = describeFetchError(err);
    } finally {
      clearTimeout(timer);
    }
    const delay = retryDelayMs(policy, attempt, retryAfter, (opts.now?.() ?? new Date()).getTime());
    if (delay === null) {
      const why = retryAfter && attempt <= policy.retries ? ` (server asked to wait ${retryAfter}s, more than ${policy.maxDelayMs / 1000}s)` : '';
      throw new PnyxError('network', `${url}: ${reason} after ${attempt} attempt${attempt === 1 ? '' : 's'}${why}; the stored catalog is unchanged`);
    }
    opts.onRetry?.({ attempt, reason, delayMs: delay });
    await sleep(delay);
  }
}

function describeFetchError(err: unknown): string {
  const e = err as { message?: string; cause?: { code?: string; message?: string } };
  const code = e.cause?.code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host not found (offline?)';
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'connection reset';
  const msg = e.cause?.message ?? e.message ?? String(err);
  if (/terminated|other side closed/i.test(msg)) return 'connection closed before the response was complete (truncated)';
  return `network error: ${msg.split('\n')[0]}`;
}
