import { z } from 'zod';
import { splitCsvRows } from '../csv.js';
import { isCapability, isDomain } from './scores.js';

/**
 * A team's own evaluation results, as `pnyx catalog import-scores FILE.csv|json` reads them.
 * Columns / fields: `model` (OpenRouter id), `capability` or `task`, `score` (0..1), `n` (sample
 * size, optional), and optionally `source`, `metric`, `date`. A capability name (general,
 * reasoning, coding, instruction_following, tool_use, long_context) replaces the bundled score of
 * that capability; a domain (`domain:legal` or a domain name such as `legal`) replaces that domain
 * score; any other name is kept as a task score (`task:<name>`), shown by `catalog show`.
 */
export const ImportedScoreSchema = z.strictObject({
  model: z.string({ error: 'model is missing' }).trim().min(1, 'model is empty'),
  capability: z.string().trim().min(1).optional(),
  task: z.string().trim().min(1).optional(),
  score: z.coerce
    .number({ error: 'score must be a number' })
    .refine((v) => Number.isFinite(v), 'score must be a number')
    .refine((v) => v >= 0 && v <= 1, 'score must be between 0 and 1 (divide percentages by 100)'),
  n: z.preprocess(
    (v) => (v === '' || v === null || v === undefined ? undefined : v),
    z.coerce.number({ error: 'n must be a whole number' }).int('n must be a whole number').positive('n must be positive').optional(),
  ),
  source: z.string().trim().min(1).optional(),
  metric: z.string().trim().min(1).optional(),
  date: z
    .string()
    .trim()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'date must be YYYY-MM-DD')
    .optional(),
});

export interface ImportedScore {
  model: string;
  /** capability name, `domain:<d>`, or `task:<name>`. */
  target: string;
  score: number;
  n: number | null;
  source: string | null;
  metric: string;
  date: string | null;
  /** 1-based line of the record in its file. */
  line: number;
}

export interface ImportProblem {
  line: number;
  field: string;
  reason: string;
}

export type ImportParse = { ok: true; rows: ImportedScore[] } | { ok: false; problems: ImportProblem[] };

export function targetOf(name: string): string {
  const t = name.trim();
  if (isCapability(t)) return t;
  if (t.startsWith('domain:') && isDomain(t.slice(7))) return t;
  if (isDomain(t)) return `domain:${t}`;
  return t.startsWith('task:') ? t : `task:${t}`;
}

function validate(records: { line: number; value: Record<string, unknown> }[]): ImportParse {
  const problems: ImportProblem[] = [];
  const rows: ImportedScore[] = [];
  for (const { line, value } of records) {
    const r = ImportedScoreSchema.safeParse(value);
    if (!r.success) {
      for (const issue of r.error.issues) {
        const field = issue.code === 'unrecognized_keys' ? issue.keys.join(',') : String(issue.path[0] ?? '(record)');
        problems.push({ line, field, reason: issue.code === 'unrecognized_keys' ? 'unknown column' : issue.message });
      }
      continue;
    }
    const d = r.data;
    const name = d.capability ?? d.task;
    if (!name) {
      problems.push({ line, field: 'capability', reason: 'give a capability or a task' });
      continue;
    }
    if (d.capability && d.task) {
      problems.push({ line, field: 'task', reason: 'give either capability or task, not both' });
      continue;
    }
    rows.push({ model: d.model, target: targetOf(name), score: d.score, n: d.n ?? null, source: d.source ?? null, metric: d.metric ?? name, date: d.date ?? null, line });
  }
  return problems.length ? { ok: false, problems } : { ok: true, rows };
}

/** Parses a CSV file's text (header row first; quoted fields allowed). */
export function parseScoresCsv(text: string): ImportParse {
  const lines = splitCsvRows(text.replace(/^\uFEFF/, ''));
  const header = lines[0];
  if (!header) return { ok: false, problems: [{ line: 1, field: '(header)', reason: 'empty file' }] };
  const cols = header.cells.map((c) => c.trim().toLowerCase());
  for (const need of ['model', 'score']) {
    if (!cols.includes(need)) return { ok: false, problems: [{ line: header.line, field: need, reason: `missing column (header has: ${cols.join(', ')})` }] };
  }
  if (!cols.includes('capability') && !cols.includes('task')) return { ok: false, problems: [{ line: header.line, field: 'capability', reason: 'missing column capability or task' }] };
  const records: { line: number; value: Record<string, unknown> }[] = [];
  for (const row of lines.slice(1)) {
    if (row.cells.length === 1 && (row.cells[0] ?? '').trim() === '') continue;
    if (row.cells.length !== cols.length) {
      return { ok: false, problems: [{ line: row.line, field: '(row)', reason: `has ${row.cells.length} fields, header has ${cols.length}` }] };
    }
    const value: Record<string, unknown> = {};
    cols.forEach((c, i) => {
      const v = row.cells[i] ?? '';
      if (v.trim() !== '' || c === 'n') value[c] = v;
    });
    records.push({ line: row.line, value });
  }
  return validate(records);
}

/** Parses a JSON file: an array of records, or `{"scores": [...]}`. Lines are those of each record's start. */
export function parseScoresJson(text: string): ImportParse {
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    return { ok: false, problems: [{ line: 1, field: '(file)', reason: `not valid JSON: ${(err instanceof Error ? err.message : String(err)).split('\n')[0]}` }] };
  }
  const list = Array.isArray(json) ? json : json && typeof json === 'object' && Array.isArray((json as { scores?: unknown }).scores) ? (json as { scores: unknown[] }).scores : null;
  if (!list) return { ok: false, problems: [{ line: 1, field: '(file)', reason: 'expected an array of score records or {"scores": [...]}' }] };
  const starts = elementLines(text, Array.isArray(json) ? 1 : 2);
  const records: { line: number; value: Record<string, unknown> }[] = [];
  const problems: ImportProblem[] = [];
  list.forEach((v, i) => {
    const line = starts[i] ?? 1;
    if (!v || typeof v !== 'object' || Array.isArray(v)) problems.push({ line, field: `[${i}]`, reason: 'record must be an object' });
    else records.push({ line, value: v as Record<string, unknown> });
  });
  if (problems.length) return { ok: false, problems };
  return validate(records);
}

/** Line numbers where the elements of the first array at nesting `depth` start. */
function elementLines(text: string, depth: number): number[] {
  const out: number[] = [];
  let line = 1;
  let d = 0;
  let inString = false;
  let expectElement = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') line++;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (expectElement && c !== undefined && !/\s/.test(c) && c !== ']') {
      out.push(line);
      expectElement = false;
    }
    if (c === '"') inString = true;
    else if (c === '[' || c === '{') {
      d++;
      if (c === '[' && d === depth) expectElement = true;
    } else if (c === ']' || c === '}') d--;
    else if (c === ',' && d === depth) expectElement = true;
  }
  return out;
}
