import { DOMAINS, OUTPUT_FORMATS, TASK_TYPES, type CapabilityProfile, type OutputFormat } from '../profile.js';
import type { CanonicalRequest } from '../request.js';
import { defaultModel } from './defaultModel.js';
import { FeatureExtractor, handBuckets, type TextFeatures } from './features.js';
import { KW } from './keywords.js';
import { HEADS, OUTPUTS, scoreQuantized, type QuantizedModel } from './model.js';
import { kernelFor, type ClassifierEngine, type EngineOptions, type NativeKernel } from './native.js';
import { analyticDepth, detectLanguage, latencySensitivity, policySensitivity } from './rules.js';

/**
 * Stored with every profile; bump it when the rules, the features or the weights change, so
 * `pnyx analyze` re-classifies stored requests.
 */
export const CLASSIFIER_VERSION = 'cls-1.1.0';

/** What the classifier reads of a request: a CanonicalRequest can be passed as is. */
export type ClassifierInput = Pick<
  CanonicalRequest,
  'system_prompt' | 'messages' | 'tools' | 'response_format' | 'max_tokens' | 'stream' | 'prompt_tokens' | 'has_prompt_text'
>;

/** Wraps a bare prompt string as a one-message request. */
export function inputFromText(text: string): ClassifierInput {
  return {
    system_prompt: null,
    messages: [{ role: 'user', content: text, attachments: 0 }],
    tools: null,
    response_format: null,
    max_tokens: null,
    stream: null,
    prompt_tokens: null,
    has_prompt_text: true,
  };
}

/** The text segments the classifier reads: system prompt, then every message. */
export function textSegments(input: Pick<ClassifierInput, 'system_prompt' | 'messages'>): string[] {
  const segs: string[] = [];
  if (input.system_prompt) segs.push(input.system_prompt);
  for (const m of input.messages) if (m.content) segs.push(m.content);
  return segs;
}

const TURN_BUCKETS = handBuckets('turns', 4);
const SYS_BUCKETS = handBuckets('sys', 2);

/** Request-shape features (not from the text) that the linear model also sees. */
export function shapeFeatures(input: Pick<ClassifierInput, 'system_prompt' | 'messages'>): number[] {
  let user = 0;
  for (const m of input.messages) if (m.role === 'user') user++;
  return [TURN_BUCKETS[user <= 1 ? user : user <= 3 ? 2 : 3]!, SYS_BUCKETS[input.system_prompt ? 1 : 0]!];
}

function responseFormatType(rf: unknown): string | null {
  if (rf === null || rf === undefined) return null;
  if (typeof rf === 'string') return rf;
  if (typeof rf === 'object' && 'type' in rf && typeof (rf as { type: unknown }).type === 'string') return (rf as { type: string }).type;
  return 'object';
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** Index of the largest of one head's logits (the first of equal ones), optionally leaving one class out. */
function argmax(z: Float64Array, offset: number, n: number, exclude = -1): number {
  let best = 0;
  let max = -Infinity;
  for (let i = 0; i < n; i++) if (i !== exclude && z[offset + i]! > max) [max, best] = [z[offset + i]!, i];
  return best;
}

/** Softmax probability of class `best` of one head (all classes in the sum). */
function softmaxOf(z: Float64Array, offset: number, n: number, best: number): number {
  const max = z[offset + best]!;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.exp(z[offset + i]! - max);
  return 1 / sum;
}

/**
 * `x.toFixed(2)` for 0 <= x <= 1 (probabilities), without the generic number formatting. Exact:
 * 100x is rounded to the nearest integer, and a product within 1e-9 of a tie (far above the
 * product's rounding error, ~1e-14) is left to toFixed, which decides ties on the exact value.
 */
export function fixed2(x: number): string {
  const y = x * 100;
  if (!(x >= 0 && x <= 1) || Math.abs(y - Math.floor(y) - 0.5) < 1e-9) return x.toFixed(2);
  const n = Math.round(y);
  return n === 100 ? '1.00' : n < 10 ? `0.0${n}` : `0.${n}`;
}

const CODE_GENERATION = TASK_TYPES.indexOf('code_generation');

const round3 = (x: number) => Math.round(x * 1000) / 1000;
const clamp01 = (x: number) => (x < 0 ? 0 : x > 1 ? 1 : x);

/**
 * Classifies with a given model (the default one is the shipped weights). Keeps one feature
 * extractor and scratch buffers per classifier, so a batch allocates almost nothing per prompt.
 */
export class PromptClassifier {
  private readonly fx: FeatureExtractor;
  private readonly kernel: NativeKernel | null;
  private readonly z = new Float64Array(OUTPUTS);
  private readonly acc = new Int32Array(OUTPUTS);
  private readonly accHand = new Int32Array(OUTPUTS);
  /** Without a model the classifier only extracts features (training uses that). */
  constructor(
    private readonly model?: QuantizedModel,
    options: EngineOptions = {},
  ) {
    this.kernel = kernelFor(options.engine);
    this.fx = new FeatureExtractor({ engine: this.kernel ? 'native' : 'js' });
  }

  /** The engine this classifier runs (see native.ts). */
  get engine(): ClassifierEngine {
    return this.fx.engine;
  }

  /** Features of a request exactly as the model sees them (training uses this too). */
  features(input: Pick<ClassifierInput, 'system_prompt' | 'messages'>): TextFeatures {
    return this.fx.extract(textSegments(input), shapeFeatures(input));
  }

  classify(input: ClassifierInput): CapabilityProfile {
    if (!this.model) throw new Error('PromptClassifier: no model to classify with');
    const f = this.features(input);
    const z = this.z;
    scoreQuantized(this.model, f, z, this.acc, this.accHand, this.kernel);
    const s = f.s;
    const signals: string[] = [];
    const attachments = input.messages.reduce((n, m) => n + m.attachments, 0);
    const userTurns = input.messages.reduce((n, m) => n + (m.role === 'user' ? 1 : 0), 0);
    const context_tokens = input.prompt_tokens ?? Math.ceil(s.chars / 4);
    const toolCount = input.tools?.length ?? 0;
    const rfType = responseFormatType(input.response_format);

    if (!input.has_prompt_text || s.chars === 0) {
      return {
        task_type: 'other', domain: 'general', reasoning: 0, output_format: rfType?.startsWith('json') ? 'json' : 'free_text',
        structured_output: rfType !== null || toolCount > 0, latency_sensitivity: 0.5, safety_risk: 0, policy_sensitivity: 0,
        context_tokens, needs_tools: toolCount > 0, multimodal: attachments > 0, language: 'und', complexity: 0,
        signals: ['no-prompt-text: profile from metadata only'],
      };
    }

    let ti = argmax(z, HEADS.task.offset, TASK_TYPES.length);
    // A response bound to JSON by the API (response_format json_schema / json_object) is data, not
    // code: the text head reads schemas and field lists as code, so take its best other class.
    const jsonBound = rfType !== null && rfType.startsWith('json');
    const codeRelabeled = jsonBound && ti === CODE_GENERATION;
    if (codeRelabeled) ti = argmax(z, HEADS.task.offset, TASK_TYPES.length, CODE_GENERATION);
    const tp = softmaxOf(z, HEADS.task.offset, TASK_TYPES.length, ti);
    const di = argmax(z, HEADS.domain.offset, DOMAINS.length);
    const dp = softmaxOf(z, HEADS.domain.offset, DOMAINS.length, di);
    const fi = argmax(z, HEADS.format.offset, OUTPUT_FORMATS.length);
    const task_type = TASK_TYPES[ti]!;
    const domain = DOMAINS[di]!;
    let output_format: OutputFormat = OUTPUT_FORMATS[fi]!;
    // Reasoning: the head's probability and the analytical-method cues as two sources of evidence (noisy-OR).
    const head = sigmoid(z[HEADS.reasoning.offset]!);
    const analytic = analyticDepth(f);
    const reasoning = 1 - (1 - head) * (1 - analytic.score);
    const safety_risk = sigmoid(z[HEADS.safety.offset]!);
    signals.push(`task:${task_type} p=${fixed2(tp)}${codeRelabeled ? ' (not code: JSON response_format)' : ''}`, `domain:${domain} p=${fixed2(dp)}`);

    // Structured output: carried by the request (response_format, tools) or a schema in the text.
    const schemaInText = (f.flags & KW.schema) !== 0 && (f.flags & KW.json) !== 0 && s.braces >= 2;
    const structured_output = rfType !== null || toolCount > 0 || schemaInText;
    if (rfType !== null) {
      if (rfType.startsWith('json')) output_format = 'json';
      signals.push(rfType === 'json_schema' ? 'format:json-schema' : `format:response_format=${rfType}`);
    } else if (schemaInText) {
      output_format = 'json';
      signals.push('format:json-schema in prompt');
    } else if (task_type === 'code_generation' && (output_format === 'free_text' || output_format === 'markdown_document' || output_format === 'short_text')) {
      // Code generation answers in code, whatever prose the prompt is wrapped in.
      output_format = 'code';
      signals.push('format:code (code generation)');
    } else signals.push(`format:${output_format} p=${fixed2(softmaxOf(z, HEADS.format.offset, OUTPUT_FORMATS.length, fi))}`);
    if (toolCount > 0) signals.push(`tools:${toolCount} declared`);

    if (s.numberedItems >= 2) signals.push(`multi-step:${s.numberedItems} numbered constraints`);
    if (s.fences > 0) signals.push(`code:${s.fences} fence${s.fences > 1 ? 's' : ''}`);
    if (s.choiceItems >= 2) signals.push(`multiple-choice:${s.choiceItems} options`);
    if (reasoning >= 0.5) signals.push(`reasoning:${fixed2(reasoning)}${f.flags & KW.reasoning ? ' (cue words)' : ''}`);
    if (analytic.hits > 0) signals.push(`analytic:${analytic.hits} method cue${analytic.hits > 1 ? 's' : ''}`);
    if (safety_risk >= 0.5) signals.push(`safety:${fixed2(safety_risk)}${f.flags & KW.harmIntent ? ' (evasion wording)' : ''}`);

    const policy = policySensitivity(f, { dataOutput: jsonBound, hasSystemPrompt: !!input.system_prompt });
    if (policy.cues.length > 0) signals.push(`policy:${policy.cues.join('+')}`);
    const latency = latencySensitivity({ max_tokens: input.max_tokens, stream: input.stream, userTurns, contextTokens: context_tokens, task: task_type }, f);
    if (latency.cues.length > 0) signals.push(`latency:${latency.cues.join('+')}`);
    if (s.windowed) signals.push(`context:windowed ${s.windowChars} of ${s.chars} chars read`);
    if (attachments > 0) signals.push(`multimodal:${attachments} attachment${attachments > 1 ? 's' : ''}`);

    const constraints = s.numberedItems + s.bulletItems;
    const heavyDomain = domain === 'math' || domain === 'science' || domain === 'medicine' || domain === 'legal';
    const complexity =
      0.45 * reasoning +
      0.15 * clamp01(Math.log2(1 + context_tokens) / 15) +
      0.15 * clamp01(constraints / 6) +
      0.08 * (structured_output ? 1 : 0) +
      0.09 * (task_type === 'code_generation' || output_format === 'code' ? 1 : 0) +
      0.08 * (heavyDomain ? 1 : 0);

    return {
      task_type,
      domain,
      reasoning: round3(reasoning),
      output_format,
      structured_output,
      latency_sensitivity: round3(latency.score),
      safety_risk: round3(safety_risk),
      policy_sensitivity: round3(policy.score),
      context_tokens,
      needs_tools: toolCount > 0,
      multimodal: attachments > 0,
      language: detectLanguage(f),
      complexity: round3(clamp01(complexity)),
      signals,
    };
  }
}

let shared: PromptClassifier | undefined;

/** The capability profile of one request, with the shipped weights. Pure and deterministic. */
export function classifyPrompt(input: ClassifierInput | string): CapabilityProfile {
  shared ??= new PromptClassifier(defaultModel());
  return shared.classify(typeof input === 'string' ? inputFromText(input) : input);
}
