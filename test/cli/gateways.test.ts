import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PnyxDb } from '../../src/db/database.js';
import { FIXTURES, runCli, tempDir } from '../helpers/cli.js';

const dir = join(FIXTURES, 'gateways');
const t = tempDir('pnyx-gateways-');
afterAll(t.cleanup);

const CRM_FEATURES = [
  'data_enrichment', 'email_autocomplete', 'lead_scoring_analysis', 'nl_report_generation',
  'pipeline_forecast_narratives', 'record_summarization', 'support_ticket_drafting',
];

function counts(stderr: string): { read: number; stored: number; duplicates: number; rejected: number } {
  const m = /(\d+) read, (\d+) stored, (\d+) duplicates, (\d+) rejected/.exec(stderr);
  if (!m) throw new Error(`no counts line in: ${stderr}`);
  return { read: Number(m[1]), stored: Number(m[2]), duplicates: Number(m[3]), rejected: Number(m[4]) };
}

async function query<T extends Record<string, unknown>>(db: string, sql: string): Promise<T[]> {
  const h = await PnyxDb.open(db, { readOnly: true });
  try {
    return await h.all<T>(sql);
  } finally {
    h.close();
  }
}

interface Case {
  file: string;
  format: string;
  read: number;
  stored: number;
  rejected: number;
  /** Requests stored without prompt text. */
  metadataOnly: number;
  /** Words of the export guidance expected under the table. */
  hint?: RegExp;
  features: string[];
}

const CASES: Case[] = [
  { file: 'litellm-spend-logs.csv', format: 'litellm', read: 36, stored: 36, rejected: 0, metadataOnly: 36, hint: /store_prompts_in_spend_logs: true/, features: CRM_FEATURES },
  { file: 'litellm-spend-logs-prompts.json', format: 'litellm', read: 21, stored: 21, rejected: 0, metadataOnly: 0, features: CRM_FEATURES },
  { file: 'langfuse-observations.jsonl', format: 'langfuse', read: 46, stored: 30, rejected: 16, metadataOnly: 0, features: CRM_FEATURES },
  { file: 'langfuse-observations.csv', format: 'langfuse', read: 46, stored: 30, rejected: 16, metadataOnly: 0, features: CRM_FEATURES },
  { file: 'langfuse-observations.parquet', format: 'langfuse', read: 46, stored: 30, rejected: 16, metadataOnly: 0, features: CRM_FEATURES },
  { file: 'langfuse-ui-generations.json', format: 'langfuse', read: 12, stored: 12, rejected: 0, metadataOnly: 0, features: CRM_FEATURES },
  { file: 'helicone-export.jsonl', format: 'helicone', read: 30, stored: 30, rejected: 0, metadataOnly: 30, hint: /--include-body/, features: [...CRM_FEATURES, '(unattributed)'] },
  { file: 'helicone-export.csv', format: 'helicone', read: 30, stored: 30, rejected: 0, metadataOnly: 30, hint: /--include-body/, features: [...CRM_FEATURES, '(unattributed)'] },
  { file: 'helicone-export-bodies.json', format: 'helicone', read: 14, stored: 14, rejected: 0, metadataOnly: 0, features: [...CRM_FEATURES, '(unattributed)'] },
  {
    file: 'openrouter-generations.jsonl', format: 'openrouter', read: 28, stored: 28, rejected: 0, metadataOnly: 28, hint: /--join requests\.jsonl/,
    features: [184201, 184218, 184235, 184252, 184269, 184286, 184303].map((id) => `openrouter-app-${id}`),
  },
];

describe('pnyx analyze on gateway exports', () => {
  it.each(CASES)('$file: $format records, counted, features and metadata-only share right', async (c) => {
    const db = join(t.path, `${c.file}.duckdb`);
    const r = runCli(['analyze', join(dir, c.file), '--db', db]);
    expect(r.code, r.stderr).toBe(0);
    const n = counts(r.stderr);
    expect(n).toEqual({ read: c.read, stored: c.stored, duplicates: 0, rejected: c.rejected });
    expect(n.read).toBe(n.stored + n.duplicates + n.rejected);

    const rows = await query<{ feature: string; source_format: string; n: bigint; bare: bigint }>(
      db,
      'SELECT feature, source_format, count(*) AS n, count(*) FILTER (WHERE NOT has_prompt_text) AS bare FROM requests GROUP BY ALL ORDER BY feature',
    );
    expect(rows.map((x) => x.feature).sort()).toEqual([...c.features].sort());
    expect(new Set(rows.map((x) => x.source_format))).toEqual(new Set([c.format]));
    expect(rows.reduce((s, x) => s + Number(x.bare), 0)).toBe(c.metadataOnly);

    for (const f of c.features) expect(r.stdout).toContain(f);
    if (c.metadataOnly > 0) {
      expect(r.stdout).toContain('(metadata-only, lower confidence)');
      expect(r.stdout).toContain(`${c.metadataOnly} of ${c.stored} requests have no prompt text`);
      expect(r.stdout).toMatch(c.hint!);
    } else {
      expect(r.stdout).not.toContain('metadata-only');
    }
  });

  it('counts Langfuse spans and events as rejects with their reason, kept in the rejects table', async () => {
    const db = join(t.path, 'langfuse-observations.jsonl.duckdb');
    const rejects = await query<{ reason: string; n: bigint }>(db, 'SELECT reason, count(*) AS n FROM rejects GROUP BY reason ORDER BY reason');
    expect(rejects.map((x) => [x.reason, Number(x.n)])).toEqual([
      ['EVENT observation is not a model call (only GENERATION observations are analyzed)', 6],
      ['SPAN observation is not a model call (only GENERATION observations are analyzed)', 10],
    ]);
  });

  it('re-running on the same export adds nothing', () => {
    const db = join(t.path, 'helicone-export.jsonl.duckdb');
    const r = runCli(['analyze', join(dir, 'helicone-export.jsonl'), '--db', db]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('skipped, ingested before with the same content and options');
    expect(counts(r.stderr)).toEqual({ read: 0, stored: 0, duplicates: 0, rejected: 0 });
    const again = runCli(['analyze', join(dir, 'helicone-export.jsonl'), '--db', db, '--reingest']);
    expect(again.code).toBe(0);
    expect(counts(again.stderr)).toEqual({ read: 30, stored: 0, duplicates: 30, rejected: 0 });
  });

  it('--join over records stored earlier says they keep their stored version', () => {
    const db = join(t.path, 'openrouter-generations.jsonl.duckdb');
    const r = runCli(['analyze', join(dir, 'openrouter-generations.jsonl'), '--join', join(dir, 'openrouter-requests.jsonl'), '--db', db]);
    expect(r.code).toBe(0);
    expect(counts(r.stderr)).toEqual({ read: 28, stored: 0, duplicates: 28, rejected: 0 });
    expect(r.stderr).toContain('28 duplicate records keep the version stored first (a join never rewrites stored records; analyze into a fresh --db to join them)');
  });

  it('--join gives OpenRouter generations the prompts and features of the request log', async () => {
    const db = join(t.path, 'joined.duckdb');
    const r = runCli(['analyze', join(dir, 'openrouter-generations.jsonl'), '--join', join(dir, 'openrouter-requests.jsonl'), '--db', db, '--store-raw']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('joined 19 records without prompt text with 19 request-log records that have it');
    const rows = await query<{ app: boolean; has_prompt_text: boolean; n: bigint }>(
      db,
      "SELECT feature LIKE 'openrouter-app-%' AS app, has_prompt_text, count(*) AS n FROM requests GROUP BY ALL ORDER BY ALL",
    );
    expect(rows.map((x) => [x.app, x.has_prompt_text, Number(x.n)])).toEqual([
      [false, true, 19],
      [true, false, 9],
    ]);
    // The joined prompt is the request log's, the measured values stay OpenRouter's.
    const [one] = await query<{ system_prompt: string; cost_usd: number; gen_cost: number }>(
      db,
      "SELECT system_prompt, cost_usd, (raw->>'$.data.total_cost')::DOUBLE AS gen_cost FROM requests WHERE has_prompt_text AND feature = 'lead_scoring_analysis' LIMIT 1",
    );
    expect(one!.system_prompt).toMatch(/^Score the lead from 0 to 100/);
    expect(one!.cost_usd).toBe(one!.gen_cost);
    expect(r.stdout).toContain('9 of 28 requests have no prompt text');

    // The join learns which app id is which feature; with those names every record is attributed.
    const suggested = [...r.stderr.matchAll(/^ {4}(openrouter-app-\d+): (\w+) {3}# all \d+ joined records$/gm)].map((m) => [m[1]!, m[2]!]);
    expect(suggested).toHaveLength(7);
    const cfg = join(t.path, 'names.json');
    writeFileSync(cfg, JSON.stringify({ ingest: { feature_names: Object.fromEntries(suggested) } }));
    const db2 = join(t.path, 'named.duckdb');
    const r2 = runCli(['analyze', join(dir, 'openrouter-generations.jsonl'), '--join', join(dir, 'openrouter-requests.jsonl'), '--config', cfg, '--db', db2]);
    expect(r2.code, r2.stderr).toBe(0);
    const named = await query<{ feature: string }>(db2, 'SELECT DISTINCT feature FROM requests ORDER BY feature');
    expect(named.map((x) => x.feature)).toEqual(CRM_FEATURES);
  });

  it('a config file maps fields per format, renames features and names the join log', async () => {
    const cfg = join(t.path, 'pnyx.config.yaml');
    writeFileSync(
      cfg,
      [
        'ingest:',
        '  formats:',
        '    helicone:',
        '      feature: request_properties.environment',
        '  feature_names:',
        '    production: prod_traffic',
        `  join: ${join(dir, 'openrouter-requests.jsonl')}`,
      ].join('\n'),
    );
    const db = join(t.path, 'config.duckdb');
    const r = runCli(['analyze', join(dir, 'helicone-export.jsonl'), join(dir, 'openrouter-generations.jsonl'), '--config', cfg, '--db', db]);
    expect(r.code, r.stderr).toBe(0);
    const rows = await query<{ source_format: string; feature: string; n: bigint }>(
      db,
      "SELECT source_format, CASE WHEN feature LIKE 'openrouter-app-%' THEN 'app' ELSE feature END AS feature, count(*) AS n FROM requests WHERE source_format = 'helicone' OR feature = 'prod_traffic' OR feature LIKE 'openrouter-app-%' GROUP BY ALL ORDER BY ALL",
    );
    expect(rows.map((x) => [x.source_format, x.feature, Number(x.n)])).toEqual([
      ['helicone', 'prod_traffic', 30],
      ['openrouter', 'app', 9],
    ]);
    // Both tools' guidance is printed, once each.
    expect(r.stdout.match(/--include-body/g)).toHaveLength(1);
    expect(r.stdout.match(/--join requests\.jsonl/g)).toHaveLength(1);
  });

  it('--format forces one adapter; records of another shape are rejected, not misread', () => {
    const db = join(t.path, 'forced.duckdb');
    const r = runCli(['analyze', join(dir, 'helicone-export.jsonl'), '--format', 'litellm', '--db', db]);
    expect(r.code).toBe(4);
    expect(counts(r.stderr)).toEqual({ read: 30, stored: 0, duplicates: 0, rejected: 30 });
  });

  it('a config file with an unknown format is a config error', () => {
    const cfg = join(t.path, 'bad.json');
    writeFileSync(cfg, JSON.stringify({ ingest: { formats: { portkey: { feature: 'x' } } } }));
    const r = runCli(['analyze', join(dir, 'helicone-export.jsonl'), '--config', cfg, '--db', join(t.path, 'bad.duckdb')]);
    expect(r.code).toBe(10);
    expect(r.stderr).toContain('ingest.formats.portkey: unknown format');
  });
});
