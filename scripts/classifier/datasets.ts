/**
 * Labeled examples for the capability classifier, derived from ../shared/datasets by documented
 * mappings (see README "Classifier" and the comments below), plus the hand-written seed set in
 * data/classifier/seed-prompts.jsonl. Weak labels are marked as such; a missing label means
 * "this source says nothing about that dimension" and that head is not trained on the example.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChatMessage } from '../../src/core/request.js';
import type { Domain, OutputFormat, TaskType } from '../../src/core/profile.js';

const here = dirname(fileURLToPath(import.meta.url));
export const REPO = resolve(here, '../..');
export const SHARED = resolve(REPO, '../shared/datasets');
export const SEEDS = join(REPO, 'data/classifier/seed-prompts.jsonl');

export interface Example {
  source: string;
  /** Split unit: examples of one group are all train or all test (e.g. an Arena-Hard cluster). */
  group: string;
  system?: string;
  messages: ChatMessage[];
  task?: TaskType;
  domain?: Domain;
  format?: OutputFormat;
  /** Soft target 0..1 (how much multi-step reasoning). */
  reasoning?: number;
  safety?: 0 | 1;
  /** Labels derived by keyword rules rather than by the source itself. */
  weak?: boolean;
}

const user = (text: string): ChatMessage[] => [{ role: 'user', content: text, attachments: 0 }];

/** RFC 4180 CSV (quoted fields with newlines and "" escapes). */
export function parseCsv(text: string): Record<string, string>[] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let q = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (q) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else q = false;
      } else field += c;
    } else if (c === '"') q = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n') {
      row.push(field.endsWith('\r') ? field.slice(0, -1) : field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  const [head, ...body] = rows;
  return body.filter((r) => r.length === head!.length).map((r) => Object.fromEntries(head!.map((h, i) => [h, r[i]!])));
}

/** RouterBench prompts are Python list literals: "['...']". */
export function unwrapPyList(s: string): string {
  let t = s.trim();
  if (t.startsWith('[') && t.endsWith(']')) t = t.slice(1, -1).trim();
  if ((t.startsWith("'") && t.endsWith("'")) || (t.startsWith('"') && t.endsWith('"'))) t = t.slice(1, -1);
  return t.replace(/\\n/g, '\n').replace(/\\'/g, "'").replace(/\\"/g, '"').replace(/\\\\/g, '\\');
}

// ---------- MMLU: subject (file name) -> domain; reasoning by subject kind ----------
const MMLU_DOMAIN: Record<string, Domain> = {};
const assign = (d: Domain, subjects: string) => subjects.split(' ').forEach((s) => (MMLU_DOMAIN[s] = d));
assign('math', 'abstract_algebra college_mathematics elementary_mathematics high_school_mathematics high_school_statistics');
assign('science', 'astronomy college_biology college_chemistry college_physics conceptual_physics electrical_engineering high_school_biology high_school_chemistry high_school_physics');
assign('medicine', 'anatomy clinical_knowledge college_medicine medical_genetics professional_medicine nutrition virology human_aging');
assign('legal', 'professional_law international_law jurisprudence');
assign('business_finance', 'management marketing professional_accounting business_ethics high_school_microeconomics high_school_macroeconomics econometrics public_relations');
assign('software', 'college_computer_science high_school_computer_science computer_security machine_learning');
const MMLU_REASONING = new Set(
  'abstract_algebra college_mathematics elementary_mathematics high_school_mathematics high_school_statistics college_physics college_chemistry high_school_physics high_school_chemistry formal_logic econometrics college_computer_science machine_learning electrical_engineering'.split(' '),
);

function mmlu(): Example[] {
  const dir = join(SHARED, 'routellm_evals/mmlu_responses');
  const out: Example[] = [];
  for (const f of readdirSync(dir).sort()) {
    const subject = f.replace(/^mmlu_/, '').replace(/\.csv$/, '');
    for (const r of parseCsv(readFileSync(join(dir, f), 'utf8'))) {
      out.push({
        source: 'mmlu',
        group: r.prompt!,
        messages: user(r.prompt!),
        task: 'open_qa',
        domain: MMLU_DOMAIN[subject] ?? 'general',
        format: 'short_text',
        reasoning: MMLU_REASONING.has(subject) ? 0.8 : 0.2,
        safety: 0,
      });
    }
  }
  return out;
}

function gsm8k(): Example[] {
  return readFileSync(join(SHARED, 'routellm_evals/gsm8k_test.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { question: string })
    .map((r) => ({ source: 'gsm8k', group: r.question, messages: user(r.question), task: 'open_qa', domain: 'math', format: 'free_text', reasoning: 0.9, safety: 0 }) as Example);
}

function jsonQuestions(file: string): string[] {
  return (JSON.parse(readFileSync(join(SHARED, 'routerbench_subset_routerdc/split2_model7', file), 'utf8')) as Array<{ question: string }>).map((r) => r.question);
}

function mathPrealgebra(): Example[] {
  return jsonQuestions('MATH_prealgebra.json').map((q) => ({ source: 'math_prealgebra', group: q, messages: user(q), task: 'open_qa', domain: 'math', format: 'free_text', reasoning: 0.85, safety: 0 }));
}

function code(source: string, files: string[]): Example[] {
  return files.flatMap(jsonQuestions).map((q) => ({ source, group: q, messages: user(q), task: 'code_generation', domain: 'software', format: 'code', reasoning: 0.75, safety: 0 }));
}

function routerbenchCsv(file: string, source: string, domain: Domain, task: TaskType, reasoning: number): Example[] {
  return parseCsv(readFileSync(join(SHARED, 'routerbench_subset_routerdc', file), 'utf8')).map((r) => {
    const text = unwrapPyList(r.prompt!);
    return { source, group: text, messages: user(text), task, domain, format: 'short_text', reasoning, safety: 0 } as Example;
  });
}

// ---------- IFEval: instruction ids -> output format ----------
function ifevalFormat(ids: string[]): OutputFormat {
  if (ids.includes('detectable_format:json_format')) return 'json';
  if (ids.includes('detectable_format:number_bullet_lists')) return 'list';
  if (ids.some((i) => i === 'detectable_format:title' || i === 'detectable_format:multiple_sections' || i === 'detectable_format:number_highlighted_sections')) return 'markdown_document';
  if (ids.includes('detectable_format:constrained_response')) return 'short_text';
  return 'free_text';
}

function ifeval(): Example[] {
  return readFileSync(join(SHARED, 'ifeval/input_data_calibration.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { prompt: string; instruction_id_list: string[] })
    .map((r) => {
      const weak = weakAlpacaLabels(r.prompt);
      return { source: 'ifeval', group: r.prompt, messages: user(r.prompt), task: weak.task, format: ifevalFormat(r.instruction_id_list), reasoning: 0.25, safety: 0 } as Example;
    });
}

// ---------- Arena-Hard: cluster name -> domain (keyword map); whole clusters are split units ----------
const CLUSTER_RULES: Array<[RegExp, Domain]> = [
  [/python|code|coding|program|javascript|typescript|java\b|c\+\+|rust|sql|regex|api|web|react|docker|kubernetes|linux|git|android|database|excel|vba|script|software|algorithm|llm|model|gpu|neural|machine learning|data|cloud|aws|network|security|cyber|html|css|unity|godot|lua|roblox|swift|kotlin|flutter|node|shell|bash|powershell|rust|haskell|scheme|lisp|bot|framework|plot|visualiz|matlab|server|query|dataframe|pandas/i, 'software'],
  [/math|probab|geometry|algebra|calculus|statistic|number|equation|puzzle|sequence/i, 'math'],
  [/physics|chemi|biolog|astronom|climate|energy|scien/i, 'science'],
  [/medic|health|clinic|patient|diagnos|pharma/i, 'medicine'],
  [/legal|law|contract|compliance|regulat|gdpr|tax/i, 'legal'],
  [/business|market|financ|invest|sales|startup|econom|pricing|strategy|management|consult|product|revenue|crm|customer/i, 'business_finance'],
  [/story|poem|poetry|creative|writing|song|lyrics|fiction|character|roleplay|rpg|dnd|narrative/i, 'creative_writing'],
];

function arenaHard(): Example[] {
  return readFileSync(join(SHARED, 'arena_hard_auto/arena-hard-v0.1_question.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { cluster: string; prompt: string })
    .map((r) => {
      const domain = CLUSTER_RULES.find(([re]) => re.test(r.cluster))?.[1] ?? 'general';
      const codeLike = domain === 'software' && /\b(write|implement|create|code|function|script|program|fix|debug)\b/i.test(r.prompt);
      return { source: 'arena_hard', group: r.cluster, messages: user(r.prompt), domain, task: codeLike ? 'code_generation' : undefined, reasoning: 0.65, safety: 0, weak: true } as Example;
    });
}

// ---------- LMArena topic clusters: broad category -> domain / task / reasoning ----------
const LMARENA: Record<string, { domain: Domain; task?: TaskType; reasoning: number }> = {
  'Programming Skills': { domain: 'software', task: 'code_generation', reasoning: 0.7 },
  'Technical Concepts': { domain: 'software', reasoning: 0.5 },
  'Creative Writing': { domain: 'creative_writing', task: 'text_generation', reasoning: 0.2 },
  'Creative Generation': { domain: 'creative_writing', task: 'text_generation', reasoning: 0.2 },
  'Logic Puzzles': { domain: 'math', reasoning: 0.85 },
  'Science & Calculation': { domain: 'science', reasoning: 0.75 },
  'Strategy & Management': { domain: 'business_finance', reasoning: 0.5 },
  'Entertainment Discussion': { domain: 'general', reasoning: 0.2 },
  'Interdisciplinary Studies': { domain: 'general', reasoning: 0.4 },
  'General Knowledge': { domain: 'general', task: 'open_qa', reasoning: 0.2 },
  'Historical Discussion': { domain: 'general', task: 'open_qa', reasoning: 0.25 },
  'Comparative Analysis': { domain: 'general', reasoning: 0.5 },
};

function lmarena(): Example[] {
  const rows = parseCsv(readFileSync(join(SHARED, 'lmarena_arena_catalog/topic_clustering_recent_english_category_summary.csv'), 'utf8'));
  return rows.flatMap((r) => {
    const m = LMARENA[r.broad_category!];
    if (!m) return [];
    return r.example_prompt!
      .split('|||')
      .map((p) => p.trim())
      .filter(Boolean)
      .map((p) => ({ source: 'lmarena', group: r.narrower_category!, messages: user(p), domain: m.domain, task: m.task, reasoning: m.reasoning, safety: 0, weak: true }) as Example);
  });
}

// ---------- Safety: HarmBench + refusal-direction harmful = 1; Alpaca (harmless) = 0 ----------
function harmbench(): Example[] {
  return parseCsv(readFileSync(join(SHARED, 'safety/harmbench_behaviors_text_all.csv'), 'utf8')).map((r) => {
    // The behaviour alone, without its ContextString: the long pasted contexts of the "contextual"
    // behaviours taught the model that any long document is harmful (CRM pages, tickets).
    return { source: 'harmbench', group: r.BehaviorID!, messages: user(r.Behavior!), safety: 1 } as Example;
  });
}

function refusalJson(file: string, source: string, safety: 0 | 1): Array<Example & { instruction: string }> {
  return (JSON.parse(readFileSync(join(SHARED, 'safety', file), 'utf8')) as Array<{ instruction: string }>).map((r) => ({
    instruction: r.instruction,
    source,
    group: r.instruction,
    messages: user(r.instruction),
    safety,
  }));
}

/**
 * Weak task/format/domain labels for Alpaca-style instructions, from the leading verb phrase.
 * Only confident patterns label; everything else stays unlabeled for that head.
 */
export function weakAlpacaLabels(text: string): { task?: TaskType; format?: OutputFormat; domain: Domain; reasoning: number } {
  const t = text.trim().toLowerCase();
  let task: TaskType | undefined;
  if (/^(summari[sz]e|give (me )?a (brief |short )?summary|write a (brief |short )?summary|provide a summary|condense)/.test(t)) task = 'summarization';
  else if (/^(rewrite|rephrase|paraphrase|edit |revise|proofread|correct the|translate|simplify|make (this|the following) (sentence|text|paragraph)|convert the (following )?(sentence|text|paragraph)|change the (following )?sentence|transform the)/.test(t)) task = 'rewrite';
  else if (/^(classify|categori[sz]e|label the|determine (whether|if)|decide (whether|if)|identify (whether|if)|is the following|detect the sentiment|sort the following|group the following)/.test(t)) task = 'classification';
  else if (/^(extract|find all|pull out|list all the (names|dates|numbers|nouns|verbs|adjectives)|identify (all )?the (nouns?|verbs?|adjectives?|names?|entities|keywords?|subject|main characters?|dates?) (in|from|of))/.test(t)) task = 'extraction';
  else if (/^(based on|given|according to|read the|from the (following|given)) (the )?(following |given )?(text|passage|paragraph|article|context|information|data)/.test(t)) task = 'closed_qa';
  else if (/^(brainstorm|come up with|think of|suggest|propose|generate (a list of |some |\d+ |three |five |ten )?(ideas|names|slogans|titles|ways|tips|questions|topics)|give (me )?(some |\d+ |two |three |four |five |ten )?(ideas|ways|tips|suggestions|examples|names|reasons))/.test(t)) task = 'brainstorming';
  else if (/\b(write|create|implement|generate|develop|construct|design) (a |an )?(simple |short |basic )?(python |javascript |java |c\+\+ |c |sql |html |css |bash |ruby |go |r )?(function|program|script|code|query|class|algorithm|regular expression|regex|snippet|loop)\b/.test(t)) task = 'code_generation';
  else if (/^(write|compose|draft|create|generate|produce) (a|an|me a|the|two|three|\d+) ?(\w+ )?(story|poem|essay|letter|e-?mail|blog|article|speech|haiku|song|tweet|paragraph|description|dialogue|review|limerick|sonnet|narrative|post|script|joke|riddle|cover letter|product description|headline|press release|report|introduction|conclusion|sentence|advertisement|ad)\b/.test(t)) task = 'text_generation';
  else if (/^(what|who|when|where|why|how|which|explain|describe|define|tell me|name (a|the|one|two|three)|give (an? )?(example|explanation|definition|overview)|list (the )?(main |key )?(benefits|advantages|differences|causes|effects|types|steps|features))/.test(t)) task = 'open_qa';

  let format: OutputFormat | undefined;
  if (/\bjson\b/.test(t)) format = 'json';
  else if (/\btable\b/.test(t)) format = 'table';
  else if (task === 'code_generation') format = 'code';
  else if (task === 'brainstorming' || /\b(list|bullet|enumerate)\b|^(give|name|provide) (me )?(\d+|two|three|four|five|ten)\b/.test(t)) format = 'list';
  else if (task === 'classification' || /\b(one word|yes or no|true or false|single word)\b/.test(t)) format = 'short_text';
  else if (task === 'open_qa' || task === 'text_generation' || task === 'summarization' || task === 'rewrite') format = 'free_text';

  let domain: Domain = 'general';
  if (/\b(python|javascript|java|sql|html|css|code|coding|function|program|programming|algorithm|software|database|api|computer|array|string|regex|linux|git)\b/.test(t)) domain = 'software';
  else if (/\b(calculate|equation|solve|sum of|product of|area of|perimeter|probability|integer|fraction|derivative|integral|percent|\d+\s*[+*/^x-]\s*\d+)\b/.test(t)) domain = 'math';
  else if (/\b(story|poem|haiku|song|lyrics|fiction|novel|character|limerick|sonnet|fairy tale|rhyme|plot)\b/.test(t)) domain = 'creative_writing';
  else if (/\b(marketing|business|company|customer|sales|finance|financial|investment|invest|stock|budget|economy|economic|startup|revenue|profit|brand|product launch|accounting|tax)\b/.test(t)) domain = 'business_finance';
  else if (/\b(health|disease|symptoms?|medical|medicine|doctor|patient|diet|nutrition|vaccine|virus|treatment|diabetes|cancer)\b/.test(t)) domain = 'medicine';
  else if (/\b(law|legal|court|contract|rights|lawsuit|constitution|legislation|attorney)\b/.test(t)) domain = 'legal';
  else if (/\b(physics|chemistry|biology|scientific|photosynthesis|atom|molecule|planet|climate|gravity|cell|dna|ecosystem|energy|species|chemical)\b/.test(t)) domain = 'science';

  const reasoning = domain === 'math' ? 0.7 : /\b(why|analy[sz]e|compare|evaluate|explain how|pros and cons|trade-?offs?)\b/.test(t) ? 0.4 : 0.1;
  return { task, format, domain, reasoning };
}

function alpaca(): Example[] {
  return ['refusal_direction_harmless_train.json', 'refusal_direction_harmless_val.json'].flatMap((f) =>
    refusalJson(f, 'alpaca', 0).map(({ instruction, ...e }) => ({ ...e, ...weakAlpacaLabels(instruction), weak: true })),
  );
}

// ---------- hand-written seed set (CRM / business prompts no public set covers) ----------
interface SeedRow {
  id: string;
  system?: string;
  prompt?: string;
  messages?: Array<{ role: string; content: string }>;
  task: TaskType;
  domain: Domain;
  format: OutputFormat;
  reasoning: number;
  safety?: 0 | 1;
}

export function seeds(): Example[] {
  if (!existsSync(SEEDS)) return [];
  return readFileSync(SEEDS, 'utf8')
    .split('\n')
    .filter((l) => l.trim() && !l.startsWith('//'))
    .map((l) => JSON.parse(l) as SeedRow)
    .map((r) => ({
      source: 'seed',
      group: r.id,
      system: r.system,
      messages: r.messages ? r.messages.map((m) => ({ ...m, attachments: 0 })) : user(r.prompt ?? ''),
      task: r.task,
      domain: r.domain,
      format: r.format,
      reasoning: r.reasoning,
      safety: r.safety ?? 0,
    }));
}

export function loadExamples(): Example[] {
  if (!existsSync(SHARED)) throw new Error(`${SHARED} not found: the classifier is trained on ../shared/datasets`);
  return [
    ...mmlu(),
    ...gsm8k(),
    ...mathPrealgebra(),
    ...code('mbpp', ['mbpp.json']),
    ...code('humaneval', ['humaneval_train.json', 'humaneval_test.json']),
    ...routerbenchCsv('routerbench_arc_challenge_train_noresponses.csv', 'arc', 'science', 'open_qa', 0.5),
    ...routerbenchCsv('routerbench_winograde_train_noresponses.csv', 'winogrande', 'general', 'closed_qa', 0.4),
    ...ifeval(),
    ...arenaHard(),
    ...lmarena(),
    ...harmbench(),
    ...refusalJson('refusal_direction_harmful_train.json', 'refusal_harmful', 1).map(({ instruction: _i, ...e }) => e),
    ...refusalJson('refusal_direction_harmful_val.json', 'refusal_harmful', 1).map(({ instruction: _i, ...e }) => e),
    ...alpaca(),
    ...seeds(),
  ];
}

/** Deterministic split: 1 in 5 groups (by SHA-256 of source + group) is held out for evaluation. */
export function isHeldOut(e: Pick<Example, 'source' | 'group'>): boolean {
  return createHash('sha256').update(`${e.source}\u0000${e.group}`).digest()[0]! % 5 === 0;
}
