import type { Alert, ChannelKind, ChannelTarget, Delivery } from './types.js';
import { sendAlertMail } from './smtp.js';

/** The channels spoken to over HTTP (smtp is mail, smtp.ts). */
type HttpChannelKind = Exclude<ChannelKind, 'smtp'>;
const isSmtp = (c: ChannelTarget): c is ChannelTarget & { kind: 'smtp' } => c.kind === 'smtp';
import { dingtalkSign, feishuSign, webhookSignature } from './signing.js';

const SEND_TIMEOUT_MS = 10_000;

const ICON: Record<Alert['severity'], string> = { critical: '🔴', warning: '🟠', info: '🔵', resolved: '🟢' };

/** One line of text, the same in every chat channel. */
export function alertText(alert: Alert): string {
  return `${ICON[alert.severity]} [${alert.severity.toUpperCase()}] ${alert.title}\n${alert.message}`;
}

/** The HTTP request one channel gets for one alert: its own payload shape and signature. */
export function channelRequest(
  channel: ChannelTarget & { kind: HttpChannelKind },
  alert: Alert,
  now = Date.now(),
): { url: string; headers: Record<string, string>; body: string } {
  const json = (payload: unknown) => JSON.stringify(payload);
  const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'llm-gateway-alerts/0.1' };
  const kind: HttpChannelKind = channel.kind;
  switch (kind) {
    case 'webhook': {
      const body = json({
        kind: alert.kind,
        severity: alert.severity,
        title: alert.title,
        message: alert.message,
        dedupKey: alert.dedupKey,
        labels: alert.labels,
        at: alert.at.toISOString(),
      });
      if (channel.secret) {
        const ts = Math.floor(now / 1000);
        headers['x-gateway-timestamp'] = String(ts);
        headers['x-gateway-signature'] = webhookSignature(channel.secret, ts, body);
      }
      return { url: channel.url, headers, body };
    }
    case 'slack':
      // Incoming webhook: `text` is the notification fallback, the block is what is shown.
      return {
        url: channel.url,
        headers,
        body: json({
          text: `${alert.title}`,
          blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `*${ICON[alert.severity]} ${alert.title}*\n${alert.message}` } }],
        }),
      };
    case 'feishu': {
      const payload: Record<string, unknown> = { msg_type: 'text', content: { text: alertText(alert) } };
      if (channel.secret) {
        const ts = Math.floor(now / 1000);
        payload.timestamp = String(ts);
        payload.sign = feishuSign(channel.secret, ts);
      }
      return { url: channel.url, headers, body: json(payload) };
    }
    case 'dingtalk': {
      let url = channel.url;
      if (channel.secret) url += `${url.includes('?') ? '&' : '?'}timestamp=${now}&sign=${dingtalkSign(channel.secret, now)}`;
      return {
        url,
        headers,
        body: json({ msgtype: 'markdown', markdown: { title: alert.title, text: `### ${ICON[alert.severity]} ${alert.title}\n\n${alert.message}` } }),
      };
    }
    case 'wecom':
      return {
        url: channel.url,
        headers,
        body: json({ msgtype: 'markdown', markdown: { content: `**${ICON[alert.severity]} ${alert.title}**\n${alert.message}` } }),
      };
    default: {
      const _exhaustive: never = kind;
      throw new Error(`unknown channel kind ${String(_exhaustive)}`);
    }
  }
}

/**
 * Sends one alert to one channel. A delivery failed when the HTTP status is not 2xx, or
 * when a chat API says so in a 200 body (Feishu `code`, DingTalk and WeCom `errcode`).
 */
export async function deliver(channel: ChannelTarget, alert: Alert): Promise<Delivery> {
  const base = { channelId: channel.id, channel: channel.name, kind: channel.kind };
  try {
    if (isSmtp(channel)) {
      await sendAlertMail(channel, alert);
      return { ...base, ok: true };
    }
    const request = channelRequest(channel as ChannelTarget & { kind: HttpChannelKind }, alert);
    const res = await fetch(request.url, { method: 'POST', headers: request.headers, body: request.body, signal: AbortSignal.timeout(SEND_TIMEOUT_MS) });
    const text = await res.text();
    if (!res.ok) return { ...base, ok: false, error: `HTTP ${res.status}: ${text.slice(0, 200)}` };
    const refusal = apiRefusal(text);
    return refusal ? { ...base, ok: false, error: refusal } : { ...base, ok: true };
  } catch (error) {
    return { ...base, ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

function apiRefusal(text: string): string | undefined {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof body !== 'object' || body === null) return undefined;
  const b = body as { code?: unknown; errcode?: unknown; msg?: unknown; errmsg?: unknown };
  const code = b.code ?? b.errcode;
  const message = typeof b.msg === 'string' ? b.msg : typeof b.errmsg === 'string' ? b.errmsg : '';
  if (typeof code === 'number' && code !== 0) return `code ${code}: ${message}`;
  return undefined;
}
