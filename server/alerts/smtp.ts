import type { Alert, ChannelTarget } from './types.js';

const SEND_TIMEOUT_MS = 15_000;

/** The smtp channel's options: who the mail is from and to. */
export function mailOptions(options: Record<string, unknown> | undefined): { from: string; to: string[] } | string {
  const from = options?.from;
  const to = options?.to;
  const list = Array.isArray(to) ? to : typeof to === 'string' ? to.split(',') : [];
  const recipients = list
    .filter((v): v is string => typeof v === 'string')
    .map((v) => v.trim())
    .filter(Boolean);
  if (typeof from !== 'string' || !from.includes('@')) return 'options.from: a sender address is required';
  if (!recipients.length || recipients.some((r) => !r.includes('@'))) return 'options.to: one or more recipient addresses are required';
  return { from, to: recipients };
}

/**
 * One alert as a plain-text mail, through the server in the channel's URL
 * (`smtp://` with STARTTLS when offered, `smtps://` for TLS from the start;
 * credentials in the URL). Nodemailer is loaded on the first mail only.
 */
export async function sendAlertMail(channel: ChannelTarget, alert: Alert): Promise<void> {
  const mail = mailOptions(channel.options);
  if (typeof mail === 'string') throw new Error(mail);
  const { createTransport } = await import('nodemailer');
  const url = new URL(channel.url);
  const secure = url.protocol === 'smtps:';
  const transport = createTransport({
    host: url.hostname,
    port: Number(url.port) || (secure ? 465 : 587),
    secure,
    auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
    connectionTimeout: SEND_TIMEOUT_MS,
    greetingTimeout: SEND_TIMEOUT_MS,
    socketTimeout: SEND_TIMEOUT_MS,
  });
  try {
    const labels = Object.entries(alert.labels).map(([k, v]) => `${k}: ${v}`);
    await transport.sendMail({
      from: mail.from,
      to: mail.to,
      subject: `[${alert.severity.toUpperCase()}] ${alert.title}`,
      text: [alert.message, '', ...labels, '', `Sent ${alert.at.toISOString()} by the LLM gateway.`].join('\n'),
      headers: { 'X-Gateway-Alert': alert.kind, 'X-Gateway-Dedup-Key': alert.dedupKey },
    });
  } finally {
    transport.close();
  }
}
