import { createHmac } from 'node:crypto';

/**
 * Signatures of the channels that have them, exactly as each receiver checks them.
 * Timestamps are passed in so the functions stay pure (tests recompute them).
 */

/** Generic webhook: `x-gateway-signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`. */
export function webhookSignature(secret: string, timestampSeconds: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestampSeconds}.${body}`).digest('hex')}`;
}

/**
 * Feishu / Lark custom bot: the HMAC-SHA256 key is "<timestamp seconds>\n<secret>" over an
 * empty message, base64; sent in the body as `timestamp` and `sign`.
 */
export function feishuSign(secret: string, timestampSeconds: number): string {
  return createHmac('sha256', `${timestampSeconds}\n${secret}`).update('').digest('base64');
}

/**
 * DingTalk robot: HmacSHA256 with the secret as key over "<timestamp ms>\n<secret>", base64,
 * URL-encoded; sent as the `timestamp` and `sign` query parameters.
 */
export function dingtalkSign(secret: string, timestampMs: number): string {
  return encodeURIComponent(createHmac('sha256', secret).update(`${timestampMs}\n${secret}`).digest('base64'));
}
