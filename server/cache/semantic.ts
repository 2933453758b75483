import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { CanonicalRequest } from '../core/request.js';
import type { GenerationContext } from '../proxy/pipeline/plugin.js';
import type { Resolved } from '../proxy/pipeline/resolve-model.js';
import { requestCost } from '../proxy/pipeline/cost.js';
import { callUpstreamJson } from '../proxy/pipeline/upstream-call.js';
import { wireOf } from '../proxy/providers/endpoints.js';
import type { ModelEntry } from '../snapshot/types.js';
import type { CachePolicy } from './policy.js';
import type { ResponseCache } from './response-cache.js';
import { SemanticIndex } from './semantic-index.js';
import { FIRST_VECTOR, type RedisSemanticVectors, type VectorCursor } from './semantic-shared.js';
import type { CacheEntry, CachePurge } from './types.js';

/**
 * What the semantic cache compares: the system prompt(s) and the last user
 * turn, text only. Undefined when the request must never be served
 * semantically — it offers tools or carries an image anywhere (a near match
 * there is a wrong answer) — or has no user text.
 */
export function semanticText(request: CanonicalRequest): string | undefined {
  if (request.tools?.length) return undefined;
  const system: string[] = request.instructions ? [request.instructions] : [];
  let lastUser: string | undefined;
  for (const message of request.messages) {
    if (message.content.some((p) => p.type === 'image')) return undefined;
    const text = message.content.flatMap((p) => (p.type === 'text' ? [p.text] : [])).join('\n');
    if (message.role === 'system' || message.role === 'developer') system.push(text);
    else if (message.role === 'user') lastUser = text;
  }
  if (!lastUser?.trim()) return undefined;
  return system.length ? `${system.join('\n')}\n\n${lastUser}` : lastUser;
}

/**
 * The semantic cache: a vector per stored answer in a bounded in-memory index
 * per (requested model, scope); the answers themselves stay in the response
 * cache (memory or Redis). A lookup embeds the text through the gateway's own
 * upstream call to the configured embedding model (one log row of its own,
 * with its cost) and serves the nearest stored answer at or above the
 * model's threshold. In scale-out the vectors are also appended to Redis
 * (semantic-shared.ts) and each lookup first reads what other instances
 * added, so a paraphrase on one instance hits an answer stored by another.
 */
export class SemanticCache {
  private readonly indexes = new Map<string, { index: SemanticIndex; cursor: VectorCursor }>();

  constructor(
    private readonly cache: ResponseCache,
    private readonly logger: Logger,
    private readonly maxEntriesPerIndex: number,
    private readonly shared?: RedisSemanticVectors,
  ) {}

  private slot(scope: string, model: string) {
    const id = `${scope}\n${model}`;
    let slot = this.indexes.get(id);
    if (!slot) this.indexes.set(id, (slot = { index: new SemanticIndex(this.maxEntriesPerIndex), cursor: FIRST_VECTOR }));
    return slot;
  }

  /** Reads the vectors other instances added to this index since the last lookup (nothing without Redis). */
  private async catchUp(scope: string, model: string, slot: { index: SemanticIndex; cursor: VectorCursor }): Promise<void> {
    const shared = this.shared;
    if (!shared) return;
    const read = await this.cache.attempt(() => shared.readAfter(scope, model, slot.cursor));
    if (!read) return;
    slot.cursor = read.cursor;
    for (const { key, vector } of read.vectors) slot.index.add(key, vector);
  }

  async lookup(
    gen: GenerationContext,
    policy: CachePolicy,
    _resolved: Resolved,
  ): Promise<{ vector?: number[]; hit?: { key: string; similarity: number; entry: CacheEntry } }> {
    const settings = policy.semantic;
    const text = semanticText(gen.request);
    if (!settings || text === undefined) return {};
    const model = gen.deps.snapshot.current.modelsByName.get(settings.embeddingModel);
    if (!model) {
      this.logger.warn({ embeddingModel: settings.embeddingModel }, 'semantic cache: the embedding model is not configured');
      return {};
    }
    const vector = await this.embed(gen, model, text);
    if (!vector) return {};
    const slot = this.slot(policy.scope, gen.request.model);
    await this.catchUp(policy.scope, gen.request.model, slot);
    const index = slot.index;
    const near = index.nearest(vector, settings.threshold);
    if (!near) return { vector };
    const entry = await this.cache.lookup(near.key);
    if (!entry) {
      index.remove(near.key);
      return { vector };
    }
    return { vector, hit: { ...near, entry } };
  }

  add(policy: CachePolicy, model: string, key: string, vector: number[], _entry: CacheEntry): void {
    const unit = this.slot(policy.scope, model).index.add(key, vector);
    const shared = this.shared;
    if (unit && shared) this.cache.inBackground(() => shared.append(policy.scope, model, { key, vector: unit }, policy.ttlSeconds * 1000));
  }

  /** A purge by model drops that model's indexes; by key, the key's own scope (here and, in scale-out, in Redis). */
  async purge(which: CachePurge): Promise<void> {
    for (const [id, slot] of this.indexes) {
      const [scope, model] = id.split('\n');
      if (which.kind === 'model' ? model === which.model : scope === `key:${which.keyId}`) slot.index.clear();
    }
    await this.shared?.purge(which);
  }

  /** OpenAI-compatible `/embeddings` of one input; a failure means no semantic lookup, never a failed request. */
  private async embed(gen: GenerationContext, model: ModelEntry, text: string): Promise<number[] | undefined> {
    const started = performance.now();
    let status = 200;
    let errorMessage: string | undefined;
    let usage = { inputTokens: 0, outputTokens: 0 };
    try {
      if (wireOf(model.provider) !== 'openai-chat') throw new Error(`the provider "${model.provider.name}" does not offer OpenAI-compatible embeddings`);
      const body = JSON.stringify({ model: model.upstreamModel, input: text });
      const { json } = await callUpstreamJson(model, 'embeddings', body, gen.abort, { maxBytes: gen.deps.config.maxUpstreamResponseBytes });
      const parsed = json as { data?: Array<{ embedding?: unknown }>; usage?: { prompt_tokens?: number } };
      usage = { inputTokens: Number(parsed.usage?.prompt_tokens ?? 0) || 0, outputTokens: 0 };
      const embedding = parsed.data?.[0]?.embedding;
      if (!Array.isArray(embedding) || !embedding.every((v) => typeof v === 'number')) throw new Error('the embedding answer has no numeric vector');
      return embedding;
    } catch (error) {
      status = typeof (error as { status?: unknown }).status === 'number' ? (error as { status: number }).status : 502;
      errorMessage = error instanceof Error ? error.message : String(error);
      this.logger.warn({ embeddingModel: model.name, err: error }, 'semantic cache: embedding failed, looking up exact matches only');
      return undefined;
    } finally {
      gen.deps.recorder.record({
        at: new Date(),
        clientApi: 'embeddings',
        keyId: gen.key.id,
        keyName: gen.key.name,
        keyPrefix: gen.key.prefix,
        requestedModel: model.name,
        modelId: model.id,
        targetModel: model.upstreamModel,
        providerId: model.provider.id,
        providerName: model.provider.name,
        attempts: 1,
        stream: false,
        status,
        errorClass: errorMessage ? 'upstream' : undefined,
        errorMessage,
        latencyMs: Math.round(performance.now() - started),
        usage,
        costUsd: requestCost(model, usage),
      });
    }
  }
}
