/**
 * Gateway memory: resident set size idle, at the peak of many open streams,
 * and after N versus 10·N requests (a leak shows as growth between the two).
 */
import { setMaxListeners } from 'node:events';
import { Agent, request } from 'undici';
import { drive, type HttpCall } from './load.js';
import { rssBytes } from './cpu.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function settledRss(pid: number, settleMs: number): Promise<number> {
  await sleep(settleMs);
  const rss = await rssBytes(pid);
  if (rss === null) throw new Error(`cannot read VmRSS of pid ${pid} (needs Linux /proc)`);
  return rss;
}

export interface StreamsResult {
  streams: number;
  completed: number;
  failed: number;
  peakRssBytes: number;
  seconds: number;
}

/**
 * Opens `streams` concurrent streaming requests at once (one connection each,
 * bounded by the agent) and samples the gateway's RSS until all have ended.
 */
export async function peakDuringStreams(pid: number, call: HttpCall, streams: number, timeoutMs: number): Promise<StreamsResult> {
  const agent = new Agent({ connections: streams, pipelining: 1, keepAliveTimeout: 1_000, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  let peak = (await rssBytes(pid)) ?? 0;
  let done = false;
  const sampler = (async () => {
    while (!done) {
      peak = Math.max(peak, (await rssBytes(pid)) ?? 0);
      await sleep(25);
    }
  })();
  const started = Date.now();
  const signal = AbortSignal.timeout(timeoutMs);
  setMaxListeners(0, signal); // one listener per open stream
  const one = async (): Promise<boolean> => {
    const res = await request(call.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...call.headers },
      body: call.body,
      dispatcher: agent,
      signal,
    });
    let bytes = 0;
    for await (const chunk of res.body) bytes += (chunk as Buffer).length;
    return res.statusCode === 200 && bytes > 0;
  };
  const outcomes = await Promise.allSettled(Array.from({ length: streams }, one));
  done = true;
  await sampler;
  await agent.close();
  const completed = outcomes.filter((o) => o.status === 'fulfilled' && o.value).length;
  return { streams, completed, failed: streams - completed, peakRssBytes: peak, seconds: (Date.now() - started) / 1000 };
}

export interface LeakResult {
  firstRequests: number;
  totalRequests: number;
  rssAfterFirstBytes: number;
  rssAfterTotalBytes: number;
  errors: number;
}

/** RSS after `first` requests, then after `total` requests in all (same call, 50 connections). */
export async function leakCheck(pid: number, call: HttpCall, first: number, total: number): Promise<LeakResult> {
  const a = await drive(call, 50, { amount: first });
  const rssAfterFirstBytes = await settledRss(pid, 1_000);
  const b = await drive(call, 50, { amount: total - first });
  const rssAfterTotalBytes = await settledRss(pid, 1_000);
  return { firstRequests: first, totalRequests: total, rssAfterFirstBytes, rssAfterTotalBytes, errors: a.errors + b.errors };
}
