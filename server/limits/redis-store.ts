import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { dayPeriod, monthPeriod, TOTAL_PERIOD, WINDOW_MS } from './periods.js';
import type { AdmitPlan, AdmitResult, CounterStore, KeyCounters, LimitName, ReleasePlan, SpendSeed } from './store.js';

/**
 * Counters in Redis, shared by every gateway instance. Each admission and each
 * release is one Lua script, so check-and-take is atomic across instances.
 * Scripts run by EVALSHA and fall back to EVAL (which caches them) on NOSCRIPT.
 * All keys of one virtual key share a hash tag, so the layout works on Redis Cluster.
 *
 * Window ids and lease expiries come from the instance's clock: instances are
 * expected to keep their clocks in sync (NTP); a skew of a second only moves
 * window edges by that second.
 */

interface Script {
  source: string;
  sha: string;
}

function script(source: string): Script {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

// KEYS: rpm, tpm, leases, spend
// ARGV: rpmLimit, tpmLimit, maxConcurrency (0 = none), budget (-1 = none),
//       estimate, now, leaseId, leaseUntil, windowTtlMs, leaseTtlMs
const ADMIT = script(`
local rpmLimit = tonumber(ARGV[1])
local tpmLimit = tonumber(ARGV[2])
local concLimit = tonumber(ARGV[3])
local budget = tonumber(ARGV[4])
local rpm, tpm, inflight, spent = 0, 0, 0, 0
if budget >= 0 then spent = tonumber(redis.call('GET', KEYS[4]) or '0') end
if rpmLimit > 0 then rpm = tonumber(redis.call('GET', KEYS[1]) or '0') end
if tpmLimit > 0 then tpm = tonumber(redis.call('GET', KEYS[2]) or '0') end
if concLimit > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', ARGV[6])
  inflight = redis.call('ZCARD', KEYS[3])
end
local verdict = 'ok'
if budget >= 0 and spent >= budget then verdict = 'budget'
elseif rpmLimit > 0 and rpm >= rpmLimit then verdict = 'rpm'
elseif tpmLimit > 0 and tpm >= tpmLimit then verdict = 'tpm'
elseif concLimit > 0 and inflight >= concLimit then verdict = 'concurrency'
end
if verdict == 'ok' then
  if rpmLimit > 0 then
    rpm = redis.call('INCR', KEYS[1])
    redis.call('PEXPIRE', KEYS[1], ARGV[9])
  end
  if tpmLimit > 0 then
    tpm = redis.call('INCRBY', KEYS[2], ARGV[5])
    redis.call('PEXPIRE', KEYS[2], ARGV[9])
  end
  if concLimit > 0 then
    redis.call('ZADD', KEYS[3], ARGV[8], ARGV[7])
    redis.call('PEXPIRE', KEYS[3], ARGV[10])
    inflight = inflight + 1
  end
end
return {verdict, rpm, tpm, inflight, tostring(spent)}
`);

// KEYS: tpm of the admission's window, tpm of the current window, leases, spend total, day, month
// ARGV: reserved (-1 = no TPM reservation), actual, windowTtlMs, leaseId ('' = none),
//       cost, dayTtlMs, monthTtlMs
const RELEASE = script(`
local reserved = tonumber(ARGV[1])
if reserved >= 0 then
  local actual = tonumber(ARGV[2])
  if KEYS[1] == KEYS[2] then
    local v = redis.call('INCRBY', KEYS[1], actual - reserved)
    if v < 0 then redis.call('SET', KEYS[1], 0) end
    redis.call('PEXPIRE', KEYS[1], ARGV[3])
  elseif actual > 0 then
    redis.call('INCRBY', KEYS[2], actual)
    redis.call('PEXPIRE', KEYS[2], ARGV[3])
  end
end
if ARGV[4] ~= '' then redis.call('ZREM', KEYS[3], ARGV[4]) end
if tonumber(ARGV[5]) > 0 then
  redis.call('INCRBYFLOAT', KEYS[4], ARGV[5])
  redis.call('INCRBYFLOAT', KEYS[5], ARGV[5])
  redis.call('PEXPIRE', KEYS[5], ARGV[6])
  redis.call('INCRBYFLOAT', KEYS[6], ARGV[5])
  redis.call('PEXPIRE', KEYS[6], ARGV[7])
end
return 1
`);

// Raises each spend key to at least the given value. ARGV: value, ttlMs (0 = none) per key.
const SEED_MAX = script(`
for i, key in ipairs(KEYS) do
  local value = tonumber(ARGV[2 * i - 1])
  local ttl = tonumber(ARGV[2 * i])
  local current = tonumber(redis.call('GET', key) or '-1')
  if current < value then
    redis.call('SET', key, ARGV[2 * i - 1])
    if ttl > 0 then redis.call('PEXPIRE', key, ttl) end
  end
end
return 1
`);

/** Day counters outlive their day a little, month counters their month; the total never expires. */
const DAY_TTL_MS = 3 * 86_400_000;
const MONTH_TTL_MS = 35 * 86_400_000;
/** Window counters stay one extra window, so a late release still finds its reservation. */
const WINDOW_TTL_MS = 2 * WINDOW_MS;

function periodTtl(period: string): number {
  if (period.startsWith('d:')) return DAY_TTL_MS;
  if (period.startsWith('m:')) return MONTH_TTL_MS;
  return 0;
}

export interface RedisStoreOptions {
  /** Prefix of every key, e.g. `llmgw:limits:`. */
  prefix: string;
  /** A concurrency lease expires this long after its last renewal (default 60 s). */
  leaseTtlMs?: number;
  now: () => number;
}

export class RedisCounterStore implements CounterStore {
  private readonly prefix: string;
  private readonly leaseTtlMs: number;
  private readonly now: () => number;
  /** Leases this instance holds, renewed while their requests run. */
  private readonly leases = new Map<string, string>();
  private readonly renewTimer: NodeJS.Timeout;

  constructor(
    readonly client: Redis,
    options: RedisStoreOptions,
  ) {
    this.prefix = options.prefix;
    this.leaseTtlMs = options.leaseTtlMs ?? 60_000;
    this.now = options.now;
    this.renewTimer = setInterval(() => void this.renewLeases().catch(() => {}), Math.max(100, this.leaseTtlMs / 3));
    this.renewTimer.unref();
  }

  get ready(): boolean {
    return this.client.status === 'ready';
  }

  key(keyId: string, suffix: string): string {
    return `${this.prefix}{${keyId}}:${suffix}`;
  }

  async admit(plan: AdmitPlan): Promise<AdmitResult> {
    const budget = plan.budget;
    const leasesKey = this.key(plan.keyId, 'leases');
    const reply = (await this.run(
      ADMIT,
      [
        this.key(plan.keyId, `rpm:${plan.window}`),
        this.key(plan.keyId, `tpm:${plan.window}`),
        leasesKey,
        this.key(plan.keyId, `spend:${budget?.period ?? TOTAL_PERIOD}`),
      ],
      [
        plan.rpmLimit ?? 0,
        plan.tpmLimit ?? 0,
        plan.maxConcurrency ?? 0,
        budget ? String(budget.limitUsd) : '-1',
        Math.max(0, Math.round(plan.estimatedTokens)),
        plan.now,
        plan.leaseId,
        plan.now + this.leaseTtlMs,
        WINDOW_TTL_MS,
        this.leaseTtlMs * 2,
      ],
    )) as [string, number, number, number, string];
    const [verdict, rpmUsed, tpmUsed, inFlight, spent] = reply;
    if (verdict === 'ok' && plan.maxConcurrency) this.leases.set(plan.leaseId, leasesKey);
    return {
      rejected: verdict === 'ok' ? undefined : (verdict as LimitName),
      rpmUsed: Number(rpmUsed),
      tpmUsed: Number(tpmUsed),
      inFlight: Number(inFlight),
      spentUsd: Number(spent),
      backend: 'redis',
    };
  }

  async release(plan: ReleasePlan): Promise<void> {
    if (plan.leaseId) this.leases.delete(plan.leaseId);
    const currentWindow = Math.floor(plan.now / WINDOW_MS);
    const tpm = plan.tpm;
    await this.run(
      RELEASE,
      [
        this.key(plan.keyId, `tpm:${tpm?.window ?? currentWindow}`),
        this.key(plan.keyId, `tpm:${currentWindow}`),
        this.key(plan.keyId, 'leases'),
        this.key(plan.keyId, `spend:${TOTAL_PERIOD}`),
        this.key(plan.keyId, `spend:${dayPeriod(plan.now)}`),
        this.key(plan.keyId, `spend:${monthPeriod(plan.now)}`),
      ],
      [
        tpm ? Math.max(0, Math.round(tpm.reserved)) : -1,
        tpm ? Math.max(0, Math.round(tpm.actual)) : 0,
        WINDOW_TTL_MS,
        plan.leaseId ?? '',
        plan.costUsd > 0 ? String(plan.costUsd) : '0',
        DAY_TTL_MS,
        MONTH_TTL_MS,
      ],
    );
  }

  async read(keyId: string, now: number, periods: string[]): Promise<KeyCounters> {
    const window = Math.floor(now / WINDOW_MS);
    const pipeline = this.client.pipeline();
    pipeline.get(this.key(keyId, `rpm:${window}`));
    pipeline.get(this.key(keyId, `tpm:${window}`));
    pipeline.zcount(this.key(keyId, 'leases'), `(${now}`, '+inf');
    for (const p of periods) pipeline.get(this.key(keyId, `spend:${p}`));
    const results = (await pipeline.exec()) ?? [];
    const value = (i: number): number => {
      const [error, v] = results[i] ?? [null, null];
      if (error) throw error;
      return v === null || v === undefined ? 0 : Number(v);
    };
    const spend: Record<string, number> = {};
    periods.forEach((p, i) => (spend[p] = value(3 + i)));
    return { rpmUsed: value(0), tpmUsed: value(1), inFlight: value(2), spend };
  }

  async seedSpend(seeds: SpendSeed[]): Promise<void> {
    const byKey = new Map<string, SpendSeed[]>();
    for (const seed of seeds) {
      if (!(seed.usd > 0)) continue;
      const list = byKey.get(seed.keyId);
      if (list) list.push(seed);
      else byKey.set(seed.keyId, [seed]);
    }
    // One script call per virtual key: its keys share a hash tag (one slot).
    const jobs = [...byKey.values()].map(
      (list) => () =>
        this.run(
          SEED_MAX,
          list.map((s) => this.key(s.keyId, `spend:${s.period}`)),
          list.flatMap((s) => [String(s.usd), periodTtl(s.period)]),
        ),
    );
    for (let i = 0; i < jobs.length; i += 100) await Promise.all(jobs.slice(i, i + 100).map((job) => job()));
  }

  async close(): Promise<void> {
    clearInterval(this.renewTimer);
    this.leases.clear();
  }

  private async renewLeases(): Promise<void> {
    if (this.leases.size === 0 || !this.ready) return;
    const until = this.now() + this.leaseTtlMs;
    const pipeline = this.client.pipeline();
    for (const [leaseId, leasesKey] of this.leases) {
      pipeline.zadd(leasesKey, 'XX', until, leaseId);
      pipeline.pexpire(leasesKey, this.leaseTtlMs * 2);
    }
    await pipeline.exec();
  }

  private async run(s: Script, keys: string[], args: Array<string | number>): Promise<unknown> {
    try {
      return await this.client.evalsha(s.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.includes('NOSCRIPT')) throw error;
      return this.client.eval(s.source, keys.length, ...keys, ...args);
    }
  }
}
