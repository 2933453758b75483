import { envRef } from '../secret-ref.js';
import { assemble, envNameFor, slug, type Deployment, type ImportResult } from './assemble.js';

/**
 * new-api / one-api channel type ids (relay/channeltype in both projects) → gateway provider
 * types, with how the channel's base URL becomes ours: `v1` appends /v1 (they add
 * /v1/chat/completions themselves), `as-is`, `suffix` appends a path, `preset` uses
 * the preset's URL (their channel speaks the vendor's native protocol).
 */
type UrlRule = 'v1' | 'as-is' | 'preset' | { suffix: string };
const CHANNEL_TYPES: Record<number, { type: string; url: UrlRule; label: string }> = {
  1: { type: 'openai', url: 'v1', label: 'OpenAI' },
  2: { type: 'openai-compatible', url: 'v1', label: 'API2D' },
  3: { type: 'azure-openai', url: 'as-is', label: 'Azure' },
  4: { type: 'openai-compatible', url: 'v1', label: 'CloseAI' },
  5: { type: 'openai-compatible', url: 'v1', label: 'OpenAI-SB' },
  6: { type: 'openai-compatible', url: 'v1', label: 'OpenAIMax' },
  7: { type: 'openai-compatible', url: 'v1', label: 'OhMyGPT' },
  8: { type: 'openai-compatible', url: 'v1', label: 'Custom' },
  14: { type: 'anthropic', url: 'as-is', label: 'Anthropic' },
  16: { type: 'zhipu', url: 'preset', label: 'Zhipu' },
  17: { type: 'dashscope', url: 'preset', label: 'Ali' },
  20: { type: 'openrouter', url: 'v1', label: 'OpenRouter' },
  23: { type: 'hunyuan', url: 'preset', label: 'Tencent' },
  24: { type: 'gemini', url: 'as-is', label: 'Gemini' },
  25: { type: 'moonshot', url: 'v1', label: 'Moonshot' },
  27: { type: 'minimax', url: 'preset', label: 'Minimax' },
  28: { type: 'mistral', url: 'v1', label: 'Mistral' },
  29: { type: 'groq', url: 'v1', label: 'Groq' },
  30: { type: 'ollama', url: 'v1', label: 'Ollama' },
  36: { type: 'deepseek', url: 'v1', label: 'DeepSeek' },
  39: { type: 'together', url: 'v1', label: 'TogetherAI' },
  40: { type: 'volcengine', url: { suffix: '/api/v3' }, label: 'Doubao' },
  44: { type: 'siliconflow', url: 'v1', label: 'SiliconFlow' },
  45: { type: 'xai', url: 'v1', label: 'xAI' },
  47: { type: 'qianfan', url: { suffix: '/v2' }, label: 'BaiduV2' },
  49: { type: 'dashscope', url: 'preset', label: 'AliBailian' },
  50: { type: 'openai-compatible', url: 'v1', label: 'OpenAICompatible' },
};

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const jsonField = (v: unknown): Obj => {
  if (typeof v !== 'string' || v.trim() === '') return obj(v);
  try {
    return obj(JSON.parse(v));
  } catch {
    return {};
  }
};

function baseUrlFor(rule: UrlRule, raw: string): string | undefined {
  const url = raw.trim().replace(/\/+$/, '');
  if (rule === 'preset' || url === '') return undefined;
  if (rule === 'as-is') return url;
  if (rule === 'v1') return /\/v\d+$/.test(url) ? url : `${url}/v1`;
  return url.endsWith(rule.suffix) ? url : `${url}${rule.suffix}`;
}

/** A channel export: a JSON list of channels (or `{ data: [...] }` as the admin API answers). */
export function importNewApi(text: string): ImportResult {
  const doc = JSON.parse(text) as unknown;
  const channels = Array.isArray(doc) ? doc : Array.isArray(obj(doc).data) ? (obj(doc).data as unknown[]) : Array.isArray(obj(obj(doc).data).items) ? (obj(obj(doc).data).items as unknown[]) : [];
  const unmapped: string[] = [];
  const deployments: Deployment[] = [];
  const groups = new Set<string>();
  for (const [i, raw] of channels.entries()) {
    const ch = obj(raw);
    const name = String(ch.name ?? `channel-${ch.id ?? i}`);
    const where = `channel ${ch.id ?? i} (${name})`;
    const kind = CHANNEL_TYPES[Number(ch.type)];
    if (!kind) {
      unmapped.push(`${where}: channel type ${String(ch.type)} has no gateway provider type`);
      continue;
    }
    const models = String(ch.models ?? '').split(',').map((m) => m.trim()).filter(Boolean);
    if (!models.length) {
      unmapped.push(`${where}: no models`);
      continue;
    }
    const mapping = jsonField(ch.model_mapping);
    const config = { ...jsonField(ch.other_info), ...jsonField(ch.config) };
    const baseUrl = baseUrlFor(kind.url, String(ch.base_url ?? ''));
    if (kind.url === 'preset' && String(ch.base_url ?? '').trim()) unmapped.push(`${where}: base URL of the native ${kind.label} API replaced by the gateway's ${kind.type} preset URL`);
    const options: Obj = {};
    const apiVersion = config.api_version ?? (kind.type === 'azure-openai' && typeof ch.other === 'string' && ch.other ? ch.other : undefined);
    if (kind.type === 'azure-openai' && typeof apiVersion === 'string') options.apiVersion = apiVersion;
    const keyName = envNameFor(slug(name), 'API_KEY');
    if (typeof ch.key === 'string' && ch.key.includes('\n')) unmapped.push(`${where}: several keys in one channel; the gateway uses one key per provider (${keyName})`);
    if (ch.group && ch.group !== 'default') groups.add(String(ch.group));
    if (ch.system_prompt) unmapped.push(`${where}: system_prompt (use a prompt rule on a virtual model)`);
    const enabled = ch.status === undefined || Number(ch.status) === 1;
    // Higher priority runs first there; lower runs first here.
    const priority = -Number(ch.priority ?? 0);
    for (const publicName of models) {
      const upstream = typeof mapping[publicName] === 'string' ? (mapping[publicName] as string) : publicName;
      deployments.push({
        publicName,
        providerName: slug(name),
        provider: {
          type: kind.type,
          ...(baseUrl ? { baseUrl } : {}),
          ...(ch.key ? { apiKey: envRef(keyName) } : {}),
          ...(Object.keys(options).length ? { options } : {}),
          ...(enabled ? {} : { enabled: false }),
        },
        upstreamModel: upstream,
        weight: Math.max(1, Number(ch.weight ?? 0) || 1),
        priority,
      });
    }
  }
  if (groups.size) unmapped.push(`channel groups (${[...groups].join(', ')}): the gateway restricts models per virtual key (allowedModels) instead`);
  // Priorities: rank 0 = highest there.
  const ranks = [...new Set(deployments.map((d) => d.priority!))].sort((a, b) => a - b);
  for (const d of deployments) d.priority = ranks.indexOf(d.priority!);
  return assemble(deployments, { strategy: 'LOAD_BALANCE', unmapped, source: 'new-api' });
}
