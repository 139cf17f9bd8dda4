// Chat templates in Jinja (HF's `chat_template` in tokenizer_config.json), rendered with
// @huggingface/jinja. PARLEY_CHAT_TEMPLATE spells exactly the format chat.ts renders, so HF tools
// (transformers' apply_chat_template, vLLM, llama.cpp) prompt a Parley model the way it was trained.
// For HF models, `renderWithTemplate` uses the model's own template; template text is trusted, so its
// special tokens are recognised (as HF does), unlike renderConversation which encodes content as text.
import { Template } from '@huggingface/jinja';
import type { ChatMessage } from '../providers/types.ts';
import { SPECIAL } from './special-tokens.ts';
import type { Tokenizer } from './tokenizer.ts';

export const PARLEY_CHAT_TEMPLATE =
  "{{ bos_token }}{% for message in messages %}" +
  "{% if message['role'] == 'system' %}<|system|>{{ message['content'] }}<|end_of_turn|>" +
  "{% elif message['role'] == 'user' %}<|user|>{{ message['content'] }}<|end_of_turn|>" +
  "{% elif message['role'] == 'assistant' %}<|assistant|>{% if message['content'] %}{{ message['content'] }}{% endif %}" +
  "{% if message['tool_calls'] %}{% for call in message['tool_calls'] %}<|tool_call|>{{ call['function']['name'] }}{{ '\\n' }}" +
  "{% if call['function']['arguments'] is string %}{{ call['function']['arguments'] }}{% else %}{{ call['function']['arguments'] | tojson }}{% endif %}" +
  "{% endfor %}{% endif %}<|end_of_turn|>" +
  "{% elif message['role'] == 'tool' %}<|tool_output|>{{ message['content'] }}<|end_of_turn|>" +
  "{% endif %}{% endfor %}{% if add_generation_prompt %}<|assistant|>{% endif %}";

export interface TemplateOptions {
  addGenerationPrompt?: boolean;
  bosToken?: string;
  eosToken?: string;
  /** Extra variables some templates read (tools, date_string, ...). */
  extra?: Record<string, unknown>;
}

const compiled = new Map<string, Template>();

/** Renders messages with a Jinja chat template to text. */
export function applyChatTemplate(template: string, messages: ChatMessage[], options: TemplateOptions = {}): string {
  let t = compiled.get(template);
  if (!t) {
    t = new Template(template);
    compiled.set(template, t);
  }
  return t.render({
    ...options.extra,
    messages,
    add_generation_prompt: options.addGenerationPrompt ?? false,
    bos_token: options.bosToken ?? SPECIAL.begin,
    eos_token: options.eosToken ?? SPECIAL.endOfTurn,
  });
}

/** Renders with a template and encodes the text, special tokens included. */
export function renderWithTemplate(
  tokenizer: Tokenizer,
  template: string,
  messages: ChatMessage[],
  options: TemplateOptions = {},
): Int32Array {
  return Int32Array.from(tokenizer.encode(applyChatTemplate(template, messages, options), { allowSpecial: true }));
}
