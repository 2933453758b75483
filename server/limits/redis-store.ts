import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { dayPeriod, monthPeriod, TOTAL_PERIOD, weekPeriod, WINDOW_MS } from './periods.js';
import type { AdmitPlan, AdmitResult, CounterStore, KeyCounters, LimitName, ReleasePlan, SpendSeed } from './store.js';

/**
 * Counters in Redis, shared by every gateway instance. Each admission and each
 * release is one Lua script, so check-and-take is atomic across instances.
 * Scripts run by EVALSHA and fall back to EVAL (which caches them) on NOSCRIPT.
 * All counters of one subject (a key, a team, …) share a hash tag. One admission
 * checks the key and its team, per-model and per-end-user subjects in one script,
 * which needs them on one Redis node: on Redis Cluster only keys without a team
 * or scoped limits stay within one slot.
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

// KEYS: per subject rpm, tpm, leases, spend (4 each)
// ARGV: estimate, now, leaseId, leaseUntil, windowTtlMs, leaseTtlMs, then per subject
//       rpmLimit, tpmLimit, maxConcurrency (0 = none), budget (-1 = none)
// Checks every subject first and takes them only when all pass.
const ADMIT = script(`
local n = #KEYS / 4
local found = {}
local verdict, by = 'ok', 0
for i = 1, n do
  local k, a = (i - 1) * 4, 6 + (i - 1) * 4
  local rpmLimit, tpmLimit, concLimit, budget = tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3]), tonumber(ARGV[a + 4])
  local rpm, tpm, inflight, spent = 0, 0, 0, 0
  if budget >= 0 then spent = tonumber(redis.call('GET', KEYS[k + 4]) or '0') end
  if rpmLimit > 0 then rpm = tonumber(redis.call('GET', KEYS[k + 1]) or '0') end
  if tpmLimit > 0 then tpm = tonumber(redis.call('GET', KEYS[k + 2]) or '0') end
  if concLimit > 0 then
    redis.call('ZREMRANGEBYSCORE', KEYS[k + 3], '-inf', ARGV[2])
    inflight = redis.call('ZCARD', KEYS[k + 3])
  end
  if verdict == 'ok' then
    if budget >= 0 and spent >= budget then verdict = 'budget'
    elseif rpmLimit > 0 and rpm >= rpmLimit then verdict = 'rpm'
    elseif tpmLimit > 0 and tpm >= tpmLimit then verdict = 'tpm'
    elseif concLimit > 0 and inflight >= concLimit then verdict = 'concurrency'
    end
    if verdict ~= 'ok' then by = i - 1 end
  end
  found[i] = {rpm, tpm, inflight, spent, rpmLimit, tpmLimit, concLimit}
end
local out = {verdict, by}
for i = 1, n do
  local k, f = (i - 1) * 4, found[i]
  if verdict == 'ok' then
    if f[5] > 0 then
      f[1] = redis.call('INCR', KEYS[k + 1])
      redis.call('PEXPIRE', KEYS[k + 1], ARGV[5])
    end
    if f[6] > 0 then
      f[2] = redis.call('INCRBY', KEYS[k + 2], ARGV[1])
      redis.call('PEXPIRE', KEYS[k + 2], ARGV[5])
    end
    if f[7] > 0 then
      redis.call('ZADD', KEYS[k + 3], ARGV[4], ARGV[3])
      redis.call('PEXPIRE', KEYS[k + 3], ARGV[6])
      f[3] = f[3] + 1
    end
  end
  table.insert(out, f[1])
  table.insert(out, f[2])
  table.insert(out, f[3])
  table.insert(out, tostring(f[4]))
end
return out
`);

// KEYS: per subject tpm of the admission's window, tpm of the current window, leases,
//       spend total, day, week, month (7 each)
// ARGV: windowTtlMs, dayTtlMs, weekTtlMs, monthTtlMs, then per subject
//       reserved (-1 = no TPM reservation), actual, leaseId ('' = none), cost (0 = no spend)
const RELEASE = script(`
local n = #KEYS / 7
for i = 1, n do
  local k, a = (i - 1) * 7, 4 + (i - 1) * 4
  local reserved = tonumber(ARGV[a + 1])
  if reserved >= 0 then
    local actual = tonumber(ARGV[a + 2])
    if KEYS[k + 1] == KEYS[k + 2] then
      local v = redis.call('INCRBY', KEYS[k + 1], actual - reserved)
      if v < 0 then redis.call('SET', KEYS[k + 1], 0) end
      redis.call('PEXPIRE', KEYS[k + 1], ARGV[1])
    elseif actual > 0 then
      redis.call('INCRBY', KEYS[k + 2], actual)
      redis.call('PEXPIRE', KEYS[k + 2], ARGV[1])
    end
  end
  if ARGV[a + 3] ~= '' then redis.call('ZREM', KEYS[k + 3], ARGV[a + 3]) end
  if tonumber(ARGV[a + 4]) > 0 then
    redis.call('INCRBYFLOAT', KEYS[k + 4], ARGV[a + 4])
    redis.call('INCRBYFLOAT', KEYS[k + 5], ARGV[a + 4])
    redis.call('PEXPIRE', KEYS[k + 5], ARGV[2])
    redis.call('INCRBYFLOAT', KEYS[k + 6], ARGV[a + 4])
    redis.call('PEXPIRE', KEYS[k + 6], ARGV[3])
    redis.call('INCRBYFLOAT', KEYS[k + 7], ARGV[a + 4])
    redis.call('PEXPIRE', KEYS[k + 7], ARGV[4])
  end
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
const WEEK_TTL_MS = 9 * 86_400_000;
const MONTH_TTL_MS = 35 * 86_400_000;
/** Window counters stay one extra window, so a late release still finds its reservation. */
const WINDOW_TTL_MS = 2 * WINDOW_MS;

function periodTtl(period: string): number {
  if (period.startsWith('d:')) return DAY_TTL_MS;
  if (period.startsWith('w:')) return WEEK_TTL_MS;
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
    const keys: string[] = [];
    const args: Array<string | number> = [
      Math.max(0, Math.round(plan.estimatedTokens)),
      plan.now,
      plan.leaseId,
      plan.now + this.leaseTtlMs,
      WINDOW_TTL_MS,
      this.leaseTtlMs * 2,
    ];
    for (const subject of plan.subjects) {
      keys.push(
        this.key(subject.id, `rpm:${plan.window}`),
        this.key(subject.id, `tpm:${plan.window}`),
        this.key(subject.id, 'leases'),
        this.key(subject.id, `spend:${subject.budget?.period ?? TOTAL_PERIOD}`),
      );
      args.push(subject.rpmLimit ?? 0, subject.tpmLimit ?? 0, subject.maxConcurrency ?? 0, subject.budget ? String(subject.budget.limitUsd) : '-1');
    }
    const reply = (await this.run(ADMIT, keys, args)) as Array<string | number>;
    const verdict = String(reply[0]);
    const counters = plan.subjects.map((_, i) => ({
      rpmUsed: Number(reply[2 + i * 4]),
      tpmUsed: Number(reply[3 + i * 4]),
      inFlight: Number(reply[4 + i * 4]),
      spentUsd: Number(reply[5 + i * 4]),
    }));
    if (verdict === 'ok') {
      for (const subject of plan.subjects) if (subject.maxConcurrency) this.leases.set(plan.leaseId, this.key(subject.id, 'leases'));
      return { counters, backend: 'redis' };
    }
    return { rejected: verdict as LimitName, rejectedBy: Number(reply[1]), counters, backend: 'redis' };
  }

  async release(plan: ReleasePlan): Promise<void> {
    const currentWindow = Math.floor(plan.now / WINDOW_MS);
    const keys: string[] = [];
    const args: Array<string | number> = [WINDOW_TTL_MS, DAY_TTL_MS, WEEK_TTL_MS, MONTH_TTL_MS];
    for (const subject of plan.subjects) {
      if (subject.leaseId) this.leases.delete(subject.leaseId);
      const tpm = subject.tpm;
      keys.push(
        this.key(subject.id, `tpm:${tpm?.window ?? currentWindow}`),
        this.key(subject.id, `tpm:${currentWindow}`),
        this.key(subject.id, 'leases'),
        this.key(subject.id, `spend:${TOTAL_PERIOD}`),
        this.key(subject.id, `spend:${dayPeriod(plan.now)}`),
        this.key(subject.id, `spend:${weekPeriod(plan.now)}`),
        this.key(subject.id, `spend:${monthPeriod(plan.now)}`),
      );
      args.push(
        tpm ? Math.max(0, Math.round(tpm.reserved)) : -1,
        tpm ? Math.max(0, Math.round(tpm.actual)) : 0,
        subject.leaseId ?? '',
        subject.spend && plan.costUsd > 0 ? String(plan.costUsd) : '0',
      );
    }
    if (keys.length) await this.run(RELEASE, keys, args);
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
