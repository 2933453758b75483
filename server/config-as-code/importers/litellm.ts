import { yaml } from '../yaml.js';
import { envRef } from '../secret-ref.js';
import type { VirtualModelDecl } from '../schema.js';
import { assemble, envNameFor, scalarText, type Deployment, type ImportResult } from './assemble.js';

/** LiteLLM `model` prefixes → gateway provider types (server/proxy/providers/presets.ts). */
const PREFIX_TYPES: Record<string, string> = {
  openai: 'openai',
  text_completion_openai: 'openai',
  anthropic: 'anthropic',
  gemini: 'gemini',
  azure: 'azure-openai',
  deepseek: 'deepseek',
  groq: 'groq',
  mistral: 'mistral',
  openrouter: 'openrouter',
  ollama: 'ollama',
  ollama_chat: 'ollama',
  hosted_vllm: 'vllm',
  vllm: 'vllm',
  lm_studio: 'lm-studio',
  together_ai: 'together',
  fireworks_ai: 'fireworks',
  xai: 'xai',
  perplexity: 'perplexity',
  cerebras: 'cerebras',
  moonshot: 'moonshot',
  dashscope: 'dashscope',
  volcengine: 'volcengine',
  deepinfra: 'deepinfra',
  sambanova: 'sambanova',
  nvidia_nim: 'nvidia-nim',
  openai_like: 'openai-compatible',
  custom_openai: 'openai-compatible',
};

const STRATEGIES: Record<string, VirtualModelDecl['strategy']> = {
  'simple-shuffle': 'LOAD_BALANCE',
  'least-busy': 'LOAD_BALANCE',
  'usage-based-routing': 'LOAD_BALANCE',
  'usage-based-routing-v2': 'LOAD_BALANCE',
  'latency-based-routing': 'LEAST_LATENCY',
  'cost-based-routing': 'LOAD_BALANCE',
};

/** Per-request defaults LiteLLM keeps in litellm_params that the gateway adds to upstream bodies. */
const BODY_DEFAULTS = ['temperature', 'top_p', 'max_tokens', 'max_completion_tokens', 'seed', 'frequency_penalty', 'presence_penalty', 'stop'];
const HANDLED = new Set([
  'model',
  'api_base',
  'base_url',
  'api_key',
  'rpm',
  'tpm',
  'weight',
  'api_version',
  'timeout',
  'stream_timeout',
  'input_cost_per_token',
  'output_cost_per_token',
  'order',
  ...BODY_DEFAULTS,
]);

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});

/** `os.environ/NAME` → `${env:NAME}`; a plain key becomes a reference to a named variable (reported). */
function keyRef(value: unknown, fallbackName: string, unmapped: string[], where: string): string | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  const env = /^os\.environ\/([A-Za-z_][A-Za-z0-9_]*)$/.exec(value);
  if (env) return envRef(env[1]);
  unmapped.push(`${where}: api_key was written in the file; the gateway file refers to \${env:${fallbackName}} instead: set it to that key`);
  return envRef(fallbackName);
}

/** Fallbacks as LiteLLM writes them: a list of `{ name: [fallback, …] }`. */
function fallbackMap(value: unknown): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const entry of Array.isArray(value) ? value : []) {
    for (const [name, chain] of Object.entries(obj(entry))) {
      if (Array.isArray(chain))
        out.set(
          name,
          chain.filter((c): c is string => typeof c === 'string'),
        );
    }
  }
  return out;
}

export function importLiteLLM(text: string): ImportResult {
  const doc = obj(yaml().parse(text));
  const unmapped: string[] = [];
  const deployments: Deployment[] = [];
  const list = Array.isArray(doc.model_list) ? doc.model_list : [];
  let sawRateLimits = false;
  for (const [i, raw] of list.entries()) {
    const entry = obj(raw);
    const params = obj(entry.litellm_params);
    const info = obj(entry.model_info);
    const publicName = scalarText(entry.model_name);
    const model = scalarText(params.model);
    if (!publicName || !model) {
      unmapped.push(`model_list.${i}: needs model_name and litellm_params.model`);
      continue;
    }
    const slash = model.indexOf('/');
    const prefix = slash === -1 ? 'openai' : model.slice(0, slash);
    const type = PREFIX_TYPES[prefix];
    if (!type) {
      unmapped.push(`model_list.${i} (${publicName}): provider prefix "${prefix}/" has no gateway provider type`);
      continue;
    }
    const upstreamModel = slash === -1 ? model : model.slice(slash + 1);
    const baseUrl = (params.api_base ?? params.base_url) as string | undefined;
    const options: Obj = {};
    if (type === 'azure-openai' && typeof params.api_version === 'string') options.apiVersion = params.api_version;
    if (typeof params.timeout === 'number') options.timeouts = { totalMs: Math.round(params.timeout * 1000) };
    const body = Object.fromEntries(BODY_DEFAULTS.filter((k) => params[k] !== undefined).map((k) => [k, params[k]]));
    const rpm = typeof params.rpm === 'number' ? params.rpm : undefined;
    const tpm = typeof params.tpm === 'number' ? params.tpm : undefined;
    if (rpm !== undefined || tpm !== undefined) sawRateLimits = true;
    for (const key of Object.keys(params)) if (!HANDLED.has(key)) unmapped.push(`model_list.${i} (${publicName}): litellm_params.${key}`);
    const inputPrice = (params.input_cost_per_token ?? info.input_cost_per_token) as number | undefined;
    const outputPrice = (params.output_cost_per_token ?? info.output_cost_per_token) as number | undefined;
    const mode = info.mode === 'embedding' ? 'embedding' : undefined;
    deployments.push({
      publicName,
      providerName: prefix === 'openai' && baseUrl ? 'openai-compatible' : type,
      provider: {
        type,
        ...(typeof baseUrl === 'string' ? { baseUrl: baseUrl.replace(/\/+$/, '') } : {}),
        ...(params.api_key !== undefined
          ? { apiKey: keyRef(params.api_key, envNameFor(publicName, 'API_KEY'), unmapped, `model_list.${i} (${publicName})`) }
          : {}),
        ...(Object.keys(options).length ? { options } : {}),
      },
      upstreamModel,
      // LiteLLM's shuffle weighs deployments by `weight`, else by rpm (then tpm).
      weight:
        typeof params.weight === 'number'
          ? Math.max(1, Math.round(params.weight))
          : (rpm ?? (tpm !== undefined ? Math.max(1, Math.round(tpm / 1000)) : undefined)),
      priority: typeof params.order === 'number' ? params.order : undefined,
      model: {
        ...(inputPrice !== undefined ? { inputPrice } : {}),
        ...(outputPrice !== undefined ? { outputPrice } : {}),
        ...(typeof info.max_input_tokens === 'number' ? { contextWindow: info.max_input_tokens } : {}),
        ...(typeof info.max_output_tokens === 'number' ? { maxOutputTokens: info.max_output_tokens } : {}),
        ...(mode ? { mode } : {}),
        ...(Object.keys(body).length ? { requestDefaults: { body } } : {}),
      },
    });
  }
  if (sawRateLimits) unmapped.push('rpm/tpm of deployments: used as load-balancing weights; the gateway limits requests per virtual key, not per deployment');

  const router = obj(doc.router_settings);
  const litellm = obj(doc.litellm_settings);
  const strategyName = typeof router.routing_strategy === 'string' ? router.routing_strategy : 'simple-shuffle';
  const strategy = STRATEGIES[strategyName] ?? 'LOAD_BALANCE';
  if (!STRATEGIES[strategyName]) unmapped.push(`router_settings.routing_strategy "${strategyName}": load balancing is used`);
  else if (strategyName !== 'simple-shuffle' && strategy === 'LOAD_BALANCE')
    unmapped.push(`router_settings.routing_strategy "${strategyName}": approximated by weighted load balancing`);
  const fallbacks = fallbackMap(router.fallbacks ?? litellm.fallbacks);
  for (const [kind, value] of [
    ['context_window_fallbacks', router.context_window_fallbacks ?? litellm.context_window_fallbacks],
    ['content_policy_fallbacks', router.content_policy_fallbacks ?? litellm.content_policy_fallbacks],
  ] as const) {
    if (value !== undefined) unmapped.push(`${kind}: the gateway fails over on any retryable error, not by error kind`);
  }
  const routeOptions: VirtualModelDecl['options'] = {};
  const retries = router.num_retries ?? litellm.num_retries;
  if (typeof retries === 'number') routeOptions.retries = Math.min(10, retries);
  const timeout = router.timeout ?? litellm.request_timeout;
  if (typeof timeout === 'number') routeOptions.deadlineMs = Math.min(3_600_000, Math.round(timeout * 1000));
  if (typeof router.cooldown_time === 'number') routeOptions.cooldownMs = Math.round(router.cooldown_time * 1000);
  if (typeof router.allowed_fails === 'number') routeOptions.failureThreshold = Math.max(1, router.allowed_fails);
  const handledRouter = new Set([
    'routing_strategy',
    'fallbacks',
    'context_window_fallbacks',
    'content_policy_fallbacks',
    'num_retries',
    'timeout',
    'cooldown_time',
    'allowed_fails',
  ]);
  for (const key of Object.keys(router)) if (!handledRouter.has(key)) unmapped.push(`router_settings.${key}`);
  const handledLitellm = new Set(['fallbacks', 'context_window_fallbacks', 'content_policy_fallbacks', 'num_retries', 'request_timeout', 'drop_params']);
  for (const key of Object.keys(litellm)) if (!handledLitellm.has(key)) unmapped.push(`litellm_settings.${key}`);
  for (const key of Object.keys(obj(doc.general_settings))) {
    unmapped.push(
      key === 'master_key'
        ? 'general_settings.master_key: the gateway has admin users and virtual keys instead (create keys in the admin UI or under virtualKeys)'
        : `general_settings.${key}`,
    );
  }
  for (const key of Object.keys(doc)) if (!['model_list', 'router_settings', 'litellm_settings', 'general_settings'].includes(key)) unmapped.push(key);
  return assemble(deployments, { strategy, fallbacks, routeOptions, unmapped, source: 'LiteLLM' });
}
