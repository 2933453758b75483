import { envRef } from '../secret-ref.js';
import { assemble, envNameFor, scalarText, slug, type Deployment, type ImportResult } from './assemble.js';

/**
 * Channel type ids → gateway provider types, with how the channel's base URL becomes
 * ours: `v1` appends /v1 (they add /v1/chat/completions themselves), `as-is`, `suffix`
 * appends a path, `preset` uses the preset's URL (their channel speaks the vendor's
 * native protocol). The ids are those of each project's channel type constants
 * (new-api `constant/channel.go`, one-api `relay/channeltype/define.go`): they agree up
 * to 25 and differ after.
 */
type UrlRule = 'v1' | 'as-is' | 'preset' | { suffix: string };
interface ChannelKind {
  type: string;
  url: UrlRule;
  label: string;
}
const channelKind = (type: string, url: UrlRule, label: string): ChannelKind => ({ type, url, label });
const SHARED: Record<number, ChannelKind> = {
  1: channelKind('openai', 'v1', 'OpenAI'),
  3: channelKind('azure-openai', 'as-is', 'Azure'),
  6: channelKind('openai-compatible', 'v1', 'OpenAIMax'),
  7: channelKind('openai-compatible', 'v1', 'OhMyGPT'),
  8: channelKind('openai-compatible', 'v1', 'Custom'),
  14: channelKind('anthropic', 'as-is', 'Anthropic'),
  16: channelKind('zhipu', { suffix: '/api/paas/v4' }, 'Zhipu'),
  17: channelKind('dashscope', 'preset', 'Ali'),
  20: channelKind('openrouter', 'v1', 'OpenRouter'),
  23: channelKind('hunyuan', 'preset', 'Tencent'),
  24: channelKind('gemini', 'as-is', 'Gemini'),
  25: channelKind('moonshot', 'v1', 'Moonshot'),
};
export const NEW_API_CHANNEL_TYPES: Record<number, ChannelKind> = {
  ...SHARED,
  4: channelKind('ollama', 'v1', 'Ollama'),
  26: channelKind('zhipu', { suffix: '/api/paas/v4' }, 'ZhipuV4'),
  27: channelKind('perplexity', 'as-is', 'Perplexity'),
  31: channelKind('openai-compatible', 'v1', 'LingYiWanWu'),
  35: channelKind('minimax', 'preset', 'MiniMax'),
  40: channelKind('siliconflow', 'v1', 'SiliconFlow'),
  42: channelKind('mistral', 'v1', 'Mistral'),
  43: channelKind('deepseek', 'v1', 'DeepSeek'),
  45: channelKind('volcengine', { suffix: '/api/v3' }, 'VolcEngine'),
  46: channelKind('qianfan', { suffix: '/v2' }, 'BaiduV2'),
  47: channelKind('openai-compatible', 'v1', 'Xinference'),
  48: channelKind('xai', 'v1', 'xAI'),
};
export const ONE_API_CHANNEL_TYPES: Record<number, ChannelKind> = {
  ...SHARED,
  2: channelKind('openai-compatible', 'v1', 'API2D'),
  4: channelKind('openai-compatible', 'v1', 'CloseAI'),
  5: channelKind('openai-compatible', 'v1', 'OpenAI-SB'),
  27: channelKind('minimax', 'preset', 'Minimax'),
  28: channelKind('mistral', 'v1', 'Mistral'),
  29: channelKind('groq', 'v1', 'Groq'),
  30: channelKind('ollama', 'v1', 'Ollama'),
  36: channelKind('deepseek', 'v1', 'DeepSeek'),
  39: channelKind('together', 'v1', 'TogetherAI'),
  40: channelKind('volcengine', { suffix: '/api/v3' }, 'Doubao'),
  44: channelKind('siliconflow', 'v1', 'SiliconFlow'),
  45: channelKind('xai', 'v1', 'xAI'),
  47: channelKind('qianfan', { suffix: '/v2' }, 'BaiduV2'),
  49: channelKind('dashscope', 'preset', 'AliBailian'),
  50: channelKind('openai-compatible', 'v1', 'OpenAICompatible'),
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
export function importChannels(text: string, flavour: 'new-api' | 'one-api'): ImportResult {
  const types = flavour === 'new-api' ? NEW_API_CHANNEL_TYPES : ONE_API_CHANNEL_TYPES;
  const doc = JSON.parse(text) as unknown;
  const channels = Array.isArray(doc)
    ? doc
    : Array.isArray(obj(doc).data)
      ? (obj(doc).data as unknown[])
      : Array.isArray(obj(obj(doc).data).items)
        ? (obj(obj(doc).data).items as unknown[])
        : [];
  const unmapped: string[] = [];
  const deployments: Deployment[] = [];
  const groups = new Set<string>();
  for (const [i, raw] of channels.entries()) {
    const ch = obj(raw);
    const id = scalarText(ch.id) || String(i);
    const name = scalarText(ch.name) || `channel-${id}`;
    const where = `channel ${id} (${name})`;
    const kind = types[Number(ch.type)];
    if (!kind) {
      unmapped.push(`${where}: channel type ${String(ch.type)} has no gateway provider type`);
      continue;
    }
    const models = scalarText(ch.models)
      .split(',')
      .map((m) => m.trim())
      .filter(Boolean);
    if (!models.length) {
      unmapped.push(`${where}: no models`);
      continue;
    }
    const mapping = jsonField(ch.model_mapping);
    const config = { ...jsonField(ch.other_info), ...jsonField(ch.config) };
    const baseUrl = baseUrlFor(kind.url, scalarText(ch.base_url));
    if (kind.url === 'preset' && scalarText(ch.base_url).trim())
      unmapped.push(`${where}: base URL of the native ${kind.label} API replaced by the gateway's ${kind.type} preset URL`);
    const options: Obj = {};
    const apiVersion = config.api_version ?? (kind.type === 'azure-openai' && typeof ch.other === 'string' && ch.other ? ch.other : undefined);
    if (kind.type === 'azure-openai' && typeof apiVersion === 'string') options.apiVersion = apiVersion;
    const keyName = envNameFor(slug(name), 'API_KEY');
    if (typeof ch.key === 'string' && ch.key.includes('\n'))
      unmapped.push(`${where}: several keys in one channel; the gateway uses one key per provider (${keyName})`);
    if (ch.group && ch.group !== 'default') groups.add(scalarText(ch.group));
    if (ch.system_prompt) unmapped.push(`${where}: system_prompt (use a prompt rule on a virtual model)`);
    const enabled = ch.status === undefined || Number(ch.status) === 1;
    // Higher priority runs first there; lower runs first here.
    const priority = -Number(ch.priority ?? 0);
    for (const publicName of models) {
      const upstream = typeof mapping[publicName] === 'string' ? mapping[publicName] : publicName;
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
  return assemble(deployments, { strategy: 'LOAD_BALANCE', unmapped, source: flavour });
}
