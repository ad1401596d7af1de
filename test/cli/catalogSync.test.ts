import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, tempDir } from '../helpers/cli.js';
import { runCliAsync } from '../helpers/cliAsync.js';
import { HAS_SHARED, sharedPath } from '../helpers/shared.js';

/**
 * `pnyx catalog sync` against a real HTTP server on 127.0.0.1 serving the committed fixtures
 * (trimmed real /models responses and broken variants) and, when present, the full real snapshot.
 */
const fixture = (name: string): Buffer => readFileSync(join(FIXTURES, 'catalog', name));
const GOOD = fixture('openrouter-2026-08-19-trimmed.json');

/** GOOD without the given model ids: a real response with a few models fewer. */
function without(ids: string[]): string {
  const body = JSON.parse(GOOD.toString('utf8')) as { data: { id: string }[] };
  return JSON.stringify({ ...body, data: body.data.filter((m) => !ids.includes(m.id)) });
}

type Handler = (req: IncomingMessage, res: ServerResponse, n: number) => void;
const served = new Map<string, number>();
const routes: Record<string, Handler> = {
  '/ok': (_q, res) => res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(GOOD),
  '/full': (_q, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(readFileSync(sharedPath('openrouter_models', 'openrouter_models_2026-08-19_unified-llm-pricing.json'))),
  '/truncated-json': (_q, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(fixture('broken-truncated.json')),
  '/cut-connection': (_q, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(GOOD.length) });
    res.write(GOOD.subarray(0, 5000));
    setTimeout(() => res.destroy(), 20);
  },
  '/not-json': (_q, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(fixture('broken-not-json.txt')),
  '/html-200': (_q, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(fixture('broken-error-page.html')),
  '/json-as-text': (_q, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end(GOOD),
  '/drift': (_q, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(fixture('drift-price-number.json')),
  '/drift-not-array': (_q, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(fixture('drift-data-not-array.json')),
  '/429-twice': (_q, res, n) => {
    if (n <= 2) res.writeHead(429, { 'retry-after': '0', 'content-type': 'application/json' }).end('{"error":{"message":"rate limited"}}');
    else res.writeHead(200, { 'content-type': 'application/json' }).end(GOOD);
  },
  '/503-always': (_q, res) => res.writeHead(503, { 'retry-after': '0', 'content-type': 'text/html' }).end(fixture('broken-error-page.html')),
  '/404': (_q, res) => res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}'),
  '/hang': () => {
    /* never answers */
  },
};

let server: Server;
let base = '';
const t = tempDir();

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = req.url ?? '/';
    const n = (served.get(path) ?? 0) + 1;
    served.set(path, n);
    const h = routes[path];
    if (h) h(req, res, n);
    else if (path.startsWith('/without/')) res.writeHead(200, { 'content-type': 'application/json' }).end(without(decodeURIComponent(path.slice(9)).split(',')));
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  t.cleanup();
});

interface SnapshotsJson {
  current: number;
  snapshots: { snapshot_id: number; source: string; model_count: number; snapshot_date: string }[];
}

describe('pnyx catalog sync over HTTP', () => {
  const db = (): string => join(t.path, 'sync.duckdb');
  const cli = (...args: string[]) => runCliAsync(['--db', db(), 'catalog', ...args]);
  const snapshots = async (): Promise<SnapshotsJson> => JSON.parse((await cli('snapshots', '--json')).stdout) as SnapshotsJson;
  let good: SnapshotsJson;

  it('refuses a response listing fewer than half of the current snapshot, naming both counts, and stores nothing', async () => {
    const before = await snapshots();
    expect([before.current, before.snapshots.find((s) => s.snapshot_id === 3)?.model_count]).toEqual([3, 414]);
    const r = await cli('sync', '--url', `${base}/ok`, '--date', '2026-08-19');
    expect(r.code).toBe(8);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `pnyx: ${base}/ok: lists 10 models, fewer than half of the 414 in the current catalog (snapshot #3, 2026-08-19, bundled); ` +
        'a filtered or partial response? Nothing was stored; pass --allow-shrink to store it anyway\n',
    );
    const file = join(FIXTURES, 'catalog', 'openrouter-2025-05-22-trimmed.json');
    const f = await cli('sync', '--file', file);
    expect(f.code).toBe(8);
    expect(f.stderr).toBe(`pnyx: ${file}: lists 5 models, fewer than half of the 414 in the current catalog (snapshot #3, 2026-08-19, bundled); a filtered or partial response? Nothing was stored; pass --allow-shrink to store it anyway\n`);
    expect(await snapshots()).toEqual(before);
  });

  it('stores it with --allow-shrink and says it shrank, and stores nothing when it is unchanged', async () => {
    const r = await cli('sync', '--url', `${base}/ok`, '--date', '2026-08-19', '--allow-shrink');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`stored catalog snapshot #4 (2026-08-19, 10 models) from url:${base}/ok; the catalog shrank: 414 → 10 models (--allow-shrink)\n`);
    good = await snapshots();
    expect(good.current).toBe(4);
    expect(good.snapshots.map((s) => [s.snapshot_id, s.source, s.model_count])).toEqual([
      [1, 'bundled', 319],
      [2, 'bundled', 321],
      [3, 'bundled', 414],
      [4, `url:${base}/ok`, 10],
    ]);
    const again = await cli('sync', '--url', `${base}/ok`);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe('catalog unchanged: same content as snapshot #4 (2026-08-19, 10 models); nothing stored\n');
    expect(await snapshots()).toEqual(good);
    const list = JSON.parse((await cli('list', '--json')).stdout) as { catalog: { source: string; models: number } };
    expect(list.catalog).toEqual({ source: `url:${base}/ok`, snapshot_date: '2026-08-19', models: 10 });
  });

  /** [name, [path, ...flags], exit code, message, requests served (negative: at most that many)] */
  const faults: [string, [string, ...string[]], number, RegExp, number][] = [
    ['truncated JSON', ['/truncated-json'], 8, /truncated JSON \(the response ended early\)/, 1],
    ['a connection cut mid-body', ['/cut-connection', '--retries', '1'], 9, /response body cut off \(truncated\) after 2 attempts; the stored catalog is unchanged/, 2],
    ['a non-JSON body', ['/not-json'], 8, /not valid JSON/, 1],
    ['an HTML error page with status 200', ['/html-200'], 8, /wrong content type "text\/html", expected application\/json \(got an HTML page\)/, 1],
    ['JSON served as text/plain', ['/json-as-text'], 8, /wrong content type "text\/plain"/, 1],
    ['schema drift: a price as a number', ['/drift'], 8, /schema changed\?\): data\[1\]\.pricing\.prompt: Invalid input: expected string, received number/, 1],
    ['schema drift: data not an array', ['/drift-not-array'], 8, /schema changed\?\): data: Invalid input: expected array, received object/, 1],
    ['HTTP 503 on every attempt (bounded retries)', ['/503-always', '--retries', '2'], 9, /HTTP 503 Service Unavailable after 3 attempts; the stored catalog is unchanged/, 3],
    ['HTTP 404 (not retried)', ['/404'], 9, /HTTP 404 Not Found$/, 1],
    // The client counts 2 attempts; the server may see fewer when an attempt is aborted before its request is read.
    ['a timeout', ['/hang', '--timeout', '500', '--retries', '1'], 9, /timed out after 500 ms after 2 attempts/, -2],
  ];
  // A bad response fails before the database is opened, so the faults run side by side; the
  // test after them checks that none of them stored or replaced anything.
  describe.concurrent('faults', () => {
    for (const [name, [path, ...flags], exit, message, requests] of faults) {
      it(`rejects ${name} with one line and a distinct exit code`, async () => {
        const r = await cli('sync', '--url', `${base}${path}`, ...flags);
        expect(r.code).toBe(exit);
        expect(r.stdout).toBe('');
        const errorLines = r.stderr.trim().split('\n').filter((l) => !l.includes('retrying in'));
        expect(errorLines.length).toBe(1);
        expect(errorLines[0]).toMatch(/^pnyx: http:\/\/127\.0\.0\.1:\d+\//);
        expect(errorLines[0]).toMatch(message);
        if (requests > 0) expect(served.get(path)).toBe(requests);
        else expect(served.get(path) ?? 0).toBeLessThanOrEqual(-requests);
      });
    }
  });

  it('after every fault, the last good snapshot is still the current one and nothing was added', async () => {
    expect(await snapshots()).toEqual(good);
    const list = JSON.parse((await cli('list', '--json')).stdout) as { catalog: unknown };
    expect(list.catalog).toEqual({ source: `url:${base}/ok`, snapshot_date: '2026-08-19', models: 10 });
  });

  it('retries HTTP 429 honouring Retry-After, then stores the snapshot', async () => {
    const fresh = join(t.path, 'retry.duckdb');
    const r = await runCliAsync(['--db', fresh, 'catalog', 'sync', '--url', `${base}/429-twice`, '--date', '2026-08-20', '--allow-shrink']);
    expect(r.code).toBe(0);
    expect(served.get('/429-twice')).toBe(3);
    expect(r.stderr).toBe('pnyx: HTTP 429 Too Many Requests; retrying in 0.0s (attempt 2 of 4)\npnyx: HTTP 429 Too Many Requests; retrying in 0.0s (attempt 3 of 4)\n');
    expect(r.stdout).toMatch(/^stored catalog snapshot #4 \(2026-08-20, 10 models\)/);
  });

  it('rejects bad flags before touching the network', async () => {
    const r = await cli('sync', '--url', 'ftp://example.com/models');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('pnyx: --url must be an http(s) URL, got "ftp://example.com/models"\n');
  });

  describe('models the logs use', () => {
    const usage = join(t.path, 'usage.duckdb');
    const sync = (...args: string[]) => runCliAsync(['--db', usage, 'catalog', 'sync', '--date', '2026-08-21', ...args]);
    beforeAll(async () => {
      // 7 requests: openai/gpt-5 ×3 (two features), gemini-2.5-flash ×2 (logged without provider),
      // deepseek/deepseek-v3.2 ×1, and a model no catalog lists.
      const r = await runCliAsync(['--db', usage, 'analyze', join(FIXTURES, 'catalog', 'requests-for-sync.jsonl')]);
      if (r.code !== 0) throw new Error(r.stderr);
    });

    it('warns about none while the new snapshot keeps them, shrunk or not', async () => {
      const shrunk = await sync('--url', `${base}/ok`, '--allow-shrink');
      expect([shrunk.code, shrunk.stderr]).toEqual([0, '']);
      expect(shrunk.stdout).toMatch(/^stored catalog snapshot #4 \(2026-08-21, 10 models\) .*414 → 10 models/);
      // one unused model fewer (9 of 10): an ordinary sync, no flag needed, no shrink note
      const fewer = await sync('--url', `${base}/without/google/gemini-2.5-pro`);
      expect([fewer.code, fewer.stderr]).toEqual([0, '']);
      expect(fewer.stdout).toBe(`stored catalog snapshot #5 (2026-08-21, 9 models) from url:${base}/without/google/gemini-2.5-pro\n`);
    });

    it('names the used models a sync dropped, most requests first', async () => {
      const path = '/without/google/gemini-2.5-pro,openai/gpt-5,google/gemini-2.5-flash';
      const r = await sync('--url', `${base}${path}`);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`stored catalog snapshot #6 (2026-08-21, 7 models) from url:${base}${path}\n`);
      expect(r.stderr).toBe('pnyx: warning: 2 models your logs use are not in the new catalog: openai/gpt-5, google/gemini-2.5-flash\n');
      const snaps = JSON.parse((await runCliAsync(['--db', usage, 'catalog', 'snapshots', '--json'])).stdout) as SnapshotsJson;
      expect(snaps.current).toBe(6);
    });
  });

  it.skipIf(!HAS_SHARED)('syncs the full real 2026-08-19 response (414 models)', async () => {
    const fresh = join(t.path, 'full.duckdb');
    const r = await runCliAsync(['--db', fresh, 'catalog', 'sync', '--url', `${base}/full`, '--date', '2026-08-19']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^stored catalog snapshot #4 \(2026-08-19, 414 models\)/);
    // same models as the bundled (curated) snapshot of that date: the diff is empty
    const d = JSON.parse((await runCliAsync(['--db', fresh, 'catalog', 'diff', '--from', '#3', '--to', '#4', '--json'])).stdout) as Record<string, unknown[]>;
    expect([d.added?.length, d.removed?.length, d.price_changes?.length, d.expiring?.length]).toEqual([0, 0, 0, 0]);
  });
});
