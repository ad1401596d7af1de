import type { CapabilityProfile, Domain, OutputFormat, TaskType } from '../profile.js';

/**
 * A CapabilityProfile as a flat array, fields in the profile's order. Parse workers send profiles
 * to the main thread in this form: structured clone writes and reads every key of every object,
 * so a tuple costs about half as much to send as the object (measured: ~2.7 vs ~5 µs per profile,
 * most of it on the main thread, which also feeds DuckDB).
 */
export type ProfileTuple = [
  task_type: TaskType,
  domain: Domain,
  reasoning: number,
  output_format: OutputFormat,
  structured_output: boolean,
  latency_sensitivity: number,
  safety_risk: number,
  policy_sensitivity: number,
  context_tokens: number,
  needs_tools: boolean,
  multimodal: boolean,
  language: string,
  complexity: number,
  signals: string[],
];

export function toProfileTuple(p: CapabilityProfile): ProfileTuple {
  return [
    p.task_type, p.domain, p.reasoning, p.output_format, p.structured_output, p.latency_sensitivity, p.safety_risk,
    p.policy_sensitivity, p.context_tokens, p.needs_tools, p.multimodal, p.language, p.complexity, p.signals,
  ];
}
