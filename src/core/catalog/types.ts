import type { Domain } from '../profile.js';

/**
 * The model catalog as the rest of pnyx sees it: OpenRouter's prices and limits joined with
 * per-capability quality scores. Prices are USD per token (OpenRouter's unit), as numbers.
 */
export const CAPABILITIES = ['general', 'reasoning', 'coding', 'instruction_following', 'tool_use', 'long_context'] as const;
export type Capability = (typeof CAPABILITIES)[number];

/** Tiered price that applies when the prompt has at least `min_prompt_tokens` tokens. */
export interface PriceOverride {
  min_prompt_tokens: number;
  prompt?: number;
  completion?: number;
  input_cache_read?: number;
  input_cache_write?: number;
}

export interface ModelPricing {
  prompt: number;
  completion: number;
  request: number;
  image: number;
  web_search: number;
  internal_reasoning: number;
  input_cache_read: number | null;
  input_cache_write: number | null;
  overrides: PriceOverride[];
  /** True when the catalog said "-1" / gave no price: cost cannot be projected. */
  unknown: boolean;
}

export interface CatalogModel {
  id: string;
  canonical_slug: string | null;
  name: string;
  /** Creation date (OpenRouter `created`, seconds) as ISO date, if known. */
  created: string | null;
  context_length: number | null;
  max_completion_tokens: number | null;
  input_modalities: string[];
  output_modalities: string[];
  pricing: ModelPricing;
  supported_parameters: string[];
  is_moderated: boolean | null;
  /** ISO date after which the model is withdrawn, if announced. */
  expiration_date: string | null;
  knowledge_cutoff: string | null;
  reasoning: { supported: boolean; mandatory: boolean };
}

/** One figure behind a score, for provenance. */
export interface ScoreSource {
  source: string;
  metric: string;
  date: string;
  raw: number;
  /** What the figure scores: a Capability, `domain:<Domain>`, `speed:<field>`, or an imported task name. */
  target?: string;
  /** The figure normalized to 0..1 (null for speed figures, which stay in their own unit). */
  score?: number | null;
  /** Sample size behind an imported figure. */
  n?: number | null;
  /** 'bundled' (shipped default table) or 'imported' (`pnyx catalog import-scores`). */
  origin?: 'bundled' | 'imported';
}

export interface ModelScores {
  model_id: string;
  /** 0..1 per capability; missing = unknown (never guessed). */
  capabilities: Partial<Record<Capability, number>>;
  /** 0..1 per domain (LMArena industry categories). */
  domains: Partial<Record<Domain, number>>;
  /**
   * 0..1 per capability measured with reasoning ("thinking") off, for hybrid models that a source
   * scores in both modes (`capabilities` then holds the reasoning-mode scores). Absent when no
   * source separates the modes. Figures carry the target `nonreasoning:<capability>`.
   */
  non_reasoning?: Partial<Record<Capability, number>>;
  /** Median output tokens per second. */
  output_tokens_per_s: number | null;
  /** Median time to first token, seconds. */
  ttft_s: number | null;
  sources: ScoreSource[];
}

export interface ModelCatalog {
  /** 'bundled' (shipped default), 'openrouter' (synced), or 'file:<path>'. */
  source: string;
  snapshot_date: string;
  models: CatalogModel[];
  /** Keyed by OpenRouter model id. */
  scores: Map<string, ModelScores>;
}

/** True when the model accepts the parameter (e.g. 'tools', 'response_format', 'structured_outputs'). */
export function supportsParameter(m: CatalogModel, param: string): boolean {
  return m.supported_parameters.includes(param);
}
