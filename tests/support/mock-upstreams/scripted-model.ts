/**
 * A scripted "model" for driving real coding agents: it reads a request of any
 * of the four upstream wire formats through one neutral view and decides the
 * next turn the way a model would for the agent suite's prompts:
 *
 * - the last thing in the conversation is a tool result → text `The command printed: <result>`
 * - the last user text asks to `run the shell command `<cmd>`` and a shell tool is offered
 *   (Codex `exec_command` / `shell` / `local_shell`, Claude Code `Bash`) → a call of that tool
 * - the last user text asks `what was the code word` → text naming the code word an earlier
 *   user turn gave (`the code word is <word>`), or saying none was given
 * - otherwise → text `pong <the nonces in the prompt>` (or `pong`), given as the input of a
 *   `StructuredOutput` tool call when one is offered (Claude Code's --json-schema)
 * A request asking for structured output gets that text as `{"answer": "<text>"}`.
 */

export type WireFormat = 'openai-chat' | 'openai-responses' | 'anthropic' | 'gemini';

export interface OfferedTool {
  name: string;
  /** Wire type as sent (`function`, `custom`, `local_shell`, … ; Anthropic/Gemini tools are `function`). */
  type: string;
}

/** What the script needs to know about a request, whatever its format. */
export interface ConversationView {
  /** Text of every user turn, oldest first (tool results excluded). */
  userTexts: string[];
  /** Text of every tool result, oldest first. */
  toolResults: string[];
  /** Set when the conversation ends with a tool result: its text. */
  lastToolResult?: string;
  tools: OfferedTool[];
  /** The JSON schema the answer must follow, when the request asks for structured output. */
  responseSchema?: Record<string, unknown>;
}

export type ScriptedTurn = { kind: 'text'; text: string } | { kind: 'tool_call'; tool: OfferedTool; arguments: Record<string, unknown>; id: string };

export type Script = (view: ConversationView) => ScriptedTurn;

type Json = Record<string, any>;
const isObj = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

let calls = 0;
const nextCallId = (): string => `call_scripted${(++calls).toString().padStart(5, '0')}`;

/** Nonces the suite puts in prompts: `N-` followed by letters and digits. */
export const NONCE_PATTERN = /\bN-[a-z0-9]{6,}\b/g;

const SHELL_TOOLS = ['exec_command', 'shell', 'shell_command', 'local_shell', 'Bash'];

function shellArguments(tool: OfferedTool, command: string): Record<string, unknown> {
  switch (tool.name) {
    case 'Bash':
      return { command, description: 'Run the command the user asked for' };
    case 'exec_command':
      return { cmd: command };
    case 'shell':
      return { command: ['bash', '-lc', command] };
    default:
      return { command };
  }
}

export const agentScript: Script = (view) => {
  const turn = nextTurn(view);
  if (turn.kind === 'text' && view.responseSchema) return { kind: 'text', text: JSON.stringify({ answer: turn.text }) };
  return turn;
};

function nextTurn(view: ConversationView): ScriptedTurn {
  if (view.lastToolResult !== undefined) return { kind: 'text', text: `The command printed: ${view.lastToolResult.trim()}` };
  const prompt = view.userTexts.at(-1) ?? '';
  const run = /run the shell command `([^`]+)`/i.exec(prompt);
  const shell = view.tools.find((t) => SHELL_TOOLS.includes(t.name) || t.type === 'local_shell');
  if (run && shell) return { kind: 'tool_call', tool: shell, arguments: shellArguments(shell, run[1]), id: nextCallId() };
  if (/what was the code word/i.test(prompt)) {
    const earlier = view.userTexts
      .slice(0, -1)
      .map((t) => /the code word is (\S+?)[.!]?(\s|$)/i.exec(t)?.[1])
      .filter(Boolean);
    return { kind: 'text', text: earlier.length ? `The code word was ${earlier.at(-1)}.` : 'No code word was given in this conversation.' };
  }
  const nonces = prompt.match(NONCE_PATTERN) ?? [];
  const text = nonces.length ? `pong ${nonces.join(' ')}` : 'pong';
  // Claude Code's --json-schema offers a StructuredOutput tool the answer must go through.
  const structured = view.tools.find((t) => t.name === 'StructuredOutput');
  if (structured) return { kind: 'tool_call', tool: structured, arguments: { answer: text }, id: nextCallId() };
  return { kind: 'text', text };
}

const schemaOf = (value: unknown): Record<string, unknown> | undefined => (isObj(value) ? value : undefined);

// ------------------------------------------------------------------ views per wire format

/** Claude Code wraps context it adds (environment, token budget) in <system-reminder> tags: not the user's words. */
const withoutReminders = (text: string): string => text.replace(/<system-reminder>[\s\S]*?<\/system-reminder>/g, '').trim();

const joinText = (parts: unknown, types: string[]): string =>
  withoutReminders(
    typeof parts === 'string'
      ? parts
      : Array.isArray(parts)
        ? parts
            .filter((p) => isObj(p) && types.includes(p.type) && typeof p.text === 'string')
            .map((p) => p.text)
            .join('\n')
        : '',
  );

function chatView(body: Json): ConversationView {
  const messages: Json[] = Array.isArray(body.messages) ? body.messages : [];
  const view: ConversationView = { userTexts: [], toolResults: [], tools: [] };
  for (const m of messages) {
    if (m.role === 'user') view.userTexts.push(joinText(m.content, ['text']));
    if (m.role === 'tool') view.toolResults.push(joinText(m.content, ['text']));
  }
  if (messages.at(-1)?.role === 'tool') view.lastToolResult = view.toolResults.at(-1);
  for (const t of body.tools ?? []) if (isObj(t?.function)) view.tools.push({ name: t.function.name, type: t.type ?? 'function' });
  if (body.response_format?.type === 'json_schema') view.responseSchema = schemaOf(body.response_format.json_schema?.schema);
  return view;
}

const RESPONSES_OUTPUTS = ['function_call_output', 'custom_tool_call_output', 'local_shell_call_output', 'shell_call_output'];

function responsesView(body: Json): ConversationView {
  const items: Json[] = typeof body.input === 'string' ? [{ type: 'message', role: 'user', content: body.input }] : Array.isArray(body.input) ? body.input : [];
  const view: ConversationView = { userTexts: [], toolResults: [], tools: [] };
  for (const item of items) {
    const type = item.type ?? 'message';
    if (type === 'message' && item.role === 'user') view.userTexts.push(joinText(item.content, ['input_text']));
    if (RESPONSES_OUTPUTS.includes(type)) view.toolResults.push(joinText(item.output, ['input_text', 'output_text']));
  }
  if (RESPONSES_OUTPUTS.includes(items.at(-1)?.type)) view.lastToolResult = view.toolResults.at(-1);
  for (const t of body.tools ?? []) {
    if (typeof t?.name === 'string') view.tools.push({ name: t.name, type: t.type });
    else if (t?.type === 'local_shell') view.tools.push({ name: 'local_shell', type: 'local_shell' });
  }
  if (body.text?.format?.type === 'json_schema') view.responseSchema = schemaOf(body.text.format.schema);
  return view;
}

function anthropicView(body: Json): ConversationView {
  const messages: Json[] = Array.isArray(body.messages) ? body.messages : [];
  const view: ConversationView = { userTexts: [], toolResults: [], tools: [] };
  for (const m of messages) {
    if (m.role !== 'user') continue;
    if (typeof m.content === 'string') {
      view.userTexts.push(withoutReminders(m.content));
      continue;
    }
    const blocks: Json[] = Array.isArray(m.content) ? m.content : [];
    const results = blocks.filter((b) => b?.type === 'tool_result');
    for (const r of results) view.toolResults.push(joinText(r.content, ['text']));
    // Claude Code adds <system-reminder> text blocks; the prompt is the last plain text block.
    const text = joinText(blocks, ['text']);
    if (text && !results.length) view.userTexts.push(text);
  }
  const last = messages.at(-1);
  if (last?.role === 'user' && Array.isArray(last.content) && last.content.some((b: Json) => b?.type === 'tool_result')) {
    view.lastToolResult = view.toolResults.at(-1);
  }
  for (const t of body.tools ?? []) if (typeof t?.name === 'string') view.tools.push({ name: t.name, type: t.type ?? 'function' });
  const format = body.output_config?.format ?? body.output_format;
  if (format?.type === 'json_schema') view.responseSchema = schemaOf(format.schema);
  return view;
}

function geminiView(body: Json): ConversationView {
  const contents: Json[] = Array.isArray(body.contents) ? body.contents : [];
  const view: ConversationView = { userTexts: [], toolResults: [], tools: [] };
  const resultText = (r: unknown): string => {
    if (!isObj(r)) return withoutReminders(typeof r === 'string' ? r : r === null || r === undefined ? '' : JSON.stringify(r));
    for (const key of ['result', 'output', 'content']) if (typeof r[key] === 'string') return withoutReminders(r[key]);
    return JSON.stringify(r);
  };
  for (const c of contents) {
    if (c.role !== undefined && c.role !== 'user') continue;
    const parts: Json[] = Array.isArray(c.parts) ? c.parts : [];
    const results = parts.filter((p) => isObj(p?.functionResponse));
    for (const r of results) view.toolResults.push(resultText(r.functionResponse.response));
    const text = withoutReminders(
      parts
        .filter((p) => typeof p?.text === 'string')
        .map((p) => p.text)
        .join('\n'),
    );
    if (text && !results.length) view.userTexts.push(text);
  }
  if ((contents.at(-1)?.parts ?? []).some((p: Json) => isObj(p?.functionResponse))) view.lastToolResult = view.toolResults.at(-1);
  for (const tool of body.tools ?? []) for (const d of tool?.functionDeclarations ?? []) view.tools.push({ name: d.name, type: 'function' });
  const config = body.generationConfig ?? {};
  if (config.responseMimeType === 'application/json') view.responseSchema = schemaOf(config.responseJsonSchema ?? config.responseSchema) ?? {};
  return view;
}

export function conversationView(format: WireFormat, body: unknown): ConversationView {
  const json = isObj(body) ? body : {};
  switch (format) {
    case 'openai-chat':
      return chatView(json);
    case 'openai-responses':
      return responsesView(json);
    case 'anthropic':
      return anthropicView(json);
    case 'gemini':
      return geminiView(json);
    default: {
      const _exhaustive: never = format;
      return _exhaustive;
    }
  }
}
