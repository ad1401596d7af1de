import { DOMAINS, type Domain } from '../profile.js';
import { CAPABILITIES, type Capability, type ModelScores, type ScoreSource } from './types.js';

/**
 * How per-figure scores become a model's ModelScores. One function, used both by the build
 * script that writes data/catalog/scores.json and by loadCatalog, so the two never drift.
 *
 * - A capability's score is the mean of the normalized (0..1) figures that target it.
 * - Imported figures (a team's own evaluations) replace the bundled ones for the same target:
 *   when any imported figure exists for a target, only imported figures count, weighted by `n`.
 * - Speed figures (`speed:output_tokens_per_s`, `speed:ttft_s`) keep their unit; the imported one
 *   wins, else the bundled one.
 */
export const SPEED_TARGETS = { output_tokens_per_s: 'speed:output_tokens_per_s', ttft_s: 'speed:ttft_s' } as const;

/** Target prefix of a figure measured in non-reasoning mode: `nonreasoning:reasoning`. */
export const NON_REASONING_PREFIX = 'nonreasoning:';

/** `nonreasoning:coding` → `coding`; anything else → null. */
export function nonReasoningCapability(target: string): Capability | null {
  if (!target.startsWith(NON_REASONING_PREFIX)) return null;
  const c = target.slice(NON_REASONING_PREFIX.length);
  return isCapability(c) ? c : null;
}

export function isCapability(s: string): s is Capability {
  return (CAPABILITIES as readonly string[]).includes(s);
}

export function isDomain(s: string): s is Domain {
  return (DOMAINS as readonly string[]).includes(s);
}

/** `domain:legal` → `legal`; anything else → null. */
export function domainOfTarget(target: string): Domain | null {
  if (!target.startsWith('domain:')) return null;
  const d = target.slice('domain:'.length);
  return isDomain(d) ? d : null;
}

function combine(figures: ScoreSource[]): number | null {
  const imported = figures.filter((f) => f.origin === 'imported' && typeof f.score === 'number');
  const use = imported.length > 0 ? imported : figures.filter((f) => typeof f.score === 'number');
  if (use.length === 0) return null;
  let wsum = 0;
  let sum = 0;
  for (const f of use) {
    const w = imported.length > 0 ? Math.max(1, f.n ?? 1) : 1;
    wsum += w;
    sum += w * (f.score as number);
  }
  return clamp01(sum / wsum);
}

function pickSpeed(figures: ScoreSource[]): number | null {
  const imported = figures.find((f) => f.origin === 'imported');
  const f = imported ?? figures[0];
  return f && Number.isFinite(f.raw) ? f.raw : null;
}

export function clamp01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}

/** Builds one model's ModelScores from its figures (bundled and imported). */
export function combineScores(modelId: string, figures: ScoreSource[]): ModelScores {
  const byTarget = new Map<string, ScoreSource[]>();
  for (const f of figures) {
    const t = f.target ?? '';
    const list = byTarget.get(t) ?? [];
    list.push(f);
    byTarget.set(t, list);
  }
  const out: ModelScores = { model_id: modelId, capabilities: {}, domains: {}, output_tokens_per_s: null, ttft_s: null, sources: figures };
  for (const [target, list] of byTarget) {
    if (isCapability(target)) {
      const v = combine(list);
      if (v !== null) out.capabilities[target] = v;
      continue;
    }
    const nr = nonReasoningCapability(target);
    if (nr) {
      const v = combine(list);
      if (v !== null) (out.non_reasoning ??= {})[nr] = v;
      continue;
    }
    const d = domainOfTarget(target);
    if (d) {
      const v = combine(list);
      if (v !== null) out.domains[d] = v;
      continue;
    }
    if (target === SPEED_TARGETS.output_tokens_per_s) out.output_tokens_per_s = pickSpeed(list);
    if (target === SPEED_TARGETS.ttft_s) out.ttft_s = pickSpeed(list);
  }
  return out;
}

/** Min-max normalization of a raw figure within its metric's observed range. */
export function minMax(raw: number, min: number, max: number): number {
  if (!(max > min)) return 1;
  return clamp01((raw - min) / (max - min));
}

/** True when a ModelScores holds no figure at all. */
export function hasAnyScore(s: ModelScores | undefined): boolean {
  if (!s) return false;
  return Object.keys(s.capabilities).length > 0 || Object.keys(s.domains).length > 0 || s.output_tokens_per_s !== null || s.ttft_s !== null;
}
