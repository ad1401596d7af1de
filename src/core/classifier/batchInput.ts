import { isObject, readMessages } from '../adapters/fields.js';
import { RecordError } from '../errors.js';
import { inputFromText, type ClassifierInput } from './index.js';

/** One line of `pnyx classify --jsonl`: an id and either `prompt` (string) or `messages` (chat array). */
export interface BatchItem {
  id: string | number;
  input: ClassifierInput;
}

/**
 * Parses one JSONL line. A leading system message becomes the system prompt; optional
 * `system`, `max_tokens`, `stream`, `tools` and `response_format` are read when present.
 * Throws RecordError naming the field that made the line unusable.
 */
export function parseBatchLine(line: string): BatchItem {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    throw new RecordError('(json)', 'invalid JSON');
  }
  if (!isObject(v)) throw new RecordError('(record)', 'expected a JSON object');
  const id = v.id;
  if (typeof id !== 'string' && typeof id !== 'number') throw new RecordError('id', 'missing id (a string or number)');
  let input: ClassifierInput;
  if (typeof v.prompt === 'string') input = inputFromText(v.prompt);
  else if (Array.isArray(v.messages)) {
    let messages = readMessages(v.messages, 'messages');
    let system: string | null = null;
    if (messages[0]?.role === 'system') {
      system = messages[0].content;
      messages = messages.slice(1);
    }
    input = { ...inputFromText(''), system_prompt: system, messages };
  } else throw new RecordError('prompt', 'expected `prompt` (a string) or `messages` (an array)');
  if (typeof v.system === 'string') input.system_prompt = v.system;
  if (typeof v.max_tokens === 'number' && Number.isInteger(v.max_tokens) && v.max_tokens >= 0) input.max_tokens = v.max_tokens;
  if (typeof v.stream === 'boolean') input.stream = v.stream;
  if (Array.isArray(v.tools)) input.tools = v.tools;
  if (v.response_format !== undefined && v.response_format !== null) input.response_format = v.response_format;
  input.has_prompt_text = true;
  return { id, input };
}
