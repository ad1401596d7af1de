import { createHash } from 'node:crypto';
import { stableJson } from '../../../src/core/ingestRecord.js';
import type { CanonicalRequest } from '../../../src/core/request.js';

/**
 * canonicalHash as it was before the parse-speed work (issue 7): SHA-256 of one JSON.stringify of
 * the fields. content_sha256 values stored by earlier versions were computed this way, so the
 * current implementation must give the same hash for every request (test/core/canonicalHash.property.test.ts).
 */
export function referenceCanonicalHash(r: CanonicalRequest): string {
  const messages = r.messages.map((m) => [m.role, m.content, m.attachments]);
  const fields = [
    r.timestamp ? r.timestamp.getTime() : null,
    r.feature,
    r.tenant_id,
    r.user_id,
    r.requested_model,
    r.served_model,
    r.provider,
    r.system_prompt,
    messages,
    r.has_prompt_text,
    r.tools === null ? null : stableJson(r.tools),
    r.response_format === null || r.response_format === undefined ? null : stableJson(r.response_format),
    r.max_tokens,
    r.temperature,
    r.stream,
    r.prompt_tokens,
    r.completion_tokens,
    r.reasoning_tokens,
    r.cached_tokens,
    r.cost_usd,
    r.latency_ms,
    r.ttft_ms,
    r.finish_reason,
    r.status,
    r.error,
    stableJson(r.metadata),
  ];
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex');
}
