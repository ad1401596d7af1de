import { z } from 'zod';

/**
 * The canonical request: what every log adapter produces and what the `requests` table stores.
 * This schema is the public contract of ingest; README documents it field by field.
 */
export const ChatMessageSchema = z.object({
  role: z.string(),
  /** Text of the message; multi-part content is joined with newlines. */
  content: z.string(),
  /** Number of non-text parts (images, audio, files) the message carried. */
  attachments: z.number().int().nonnegative(),
});
export type ChatMessage = z.infer<typeof ChatMessageSchema>;

const count = z.number().int().nonnegative().nullable();

export const CanonicalRequestSchema = z.object({
  request_id: z.string().min(1),
  timestamp: z.date().nullable(),
  feature: z.string().min(1),
  tenant_id: z.string().nullable(),
  user_id: z.string().nullable(),
  requested_model: z.string().nullable(),
  served_model: z.string().nullable(),
  provider: z.string().nullable(),
  system_prompt: z.string().nullable(),
  messages: z.array(ChatMessageSchema),
  /** False when the log carried no prompt text at all (metadata-only gateways). */
  has_prompt_text: z.boolean(),
  tools: z.array(z.unknown()).nullable(),
  response_format: z.unknown().nullable(),
  max_tokens: count,
  temperature: z.number().nullable(),
  stream: z.boolean().nullable(),
  prompt_tokens: count,
  completion_tokens: count,
  reasoning_tokens: count,
  cached_tokens: count,
  cost_usd: z.number().nonnegative().nullable(),
  latency_ms: z.number().nonnegative().nullable(),
  ttft_ms: z.number().nonnegative().nullable(),
  finish_reason: z.string().nullable(),
  status: z.string().nullable(),
  error: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()),
  /** Which adapter read the record (`canonical`, `openai`, `openai-flat`, ...). */
  source_format: z.string(),
});
export type CanonicalRequest = z.infer<typeof CanonicalRequestSchema>;

/** Feature name given to records whose log names no feature. */
export const UNATTRIBUTED_FEATURE = '(unattributed)';

/** The model a request is billed on: the served model when known, else the requested one. */
export function effectiveModel(r: Pick<CanonicalRequest, 'served_model' | 'requested_model'>): string | null {
  return r.served_model ?? r.requested_model;
}

/** All prompt text of a request (system + messages except assistant turns' outputs at the end). */
export function promptText(r: Pick<CanonicalRequest, 'system_prompt' | 'messages'>): string {
  const parts: string[] = [];
  if (r.system_prompt) parts.push(r.system_prompt);
  for (const m of r.messages) if (m.content) parts.push(m.content);
  return parts.join('\n');
}
