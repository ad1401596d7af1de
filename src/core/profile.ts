import { z } from 'zod';

/**
 * The capability profile of one request: what it actually needs from a model.
 * A public contract: these names are stored, exported and joined against benchmark scores.
 */
export const TASK_TYPES = [
  'open_qa',
  'closed_qa',
  'summarization',
  'text_generation',
  'code_generation',
  'chatbot',
  'classification',
  'rewrite',
  'brainstorming',
  'extraction',
  'other',
] as const;
export type TaskType = (typeof TASK_TYPES)[number];

/** Aligned with LMArena's per-domain leaderboards so scores can be joined. */
export const DOMAINS = ['general', 'software', 'math', 'science', 'medicine', 'legal', 'business_finance', 'creative_writing'] as const;
export type Domain = (typeof DOMAINS)[number];

export const OUTPUT_FORMATS = ['free_text', 'short_text', 'json', 'code', 'list', 'table', 'markdown_document'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

const unit = z.number().min(0).max(1);

export const CapabilityProfileSchema = z.object({
  task_type: z.enum(TASK_TYPES),
  domain: z.enum(DOMAINS),
  /** 0..1: how much multi-step reasoning the request needs. */
  reasoning: unit,
  output_format: z.enum(OUTPUT_FORMATS),
  /** The request carries a JSON schema / response_format / tools. */
  structured_output: z.boolean(),
  /** 0..1: interactive completion (1) vs batch work (0). */
  latency_sensitivity: unit,
  /** 0..1: how likely the request is harmful or abusive. */
  safety_risk: unit,
  /** 0..1: customer-facing output that must follow policy (refunds, legal, complaints, PII). */
  policy_sensitivity: unit,
  /** Prompt size in tokens: the logged count when present, else estimated from the text. */
  context_tokens: z.number().int().nonnegative(),
  needs_tools: z.boolean(),
  multimodal: z.boolean(),
  /** ISO 639-1 code of the prompt's main language, or 'und'. */
  language: z.string(),
  /** 0..1 summary of how demanding the request is. */
  complexity: unit,
  /** Short evidence strings, e.g. "multi-step:3 numbered constraints", "format:json-schema". */
  signals: z.array(z.string()),
});
export type CapabilityProfile = z.infer<typeof CapabilityProfileSchema>;
