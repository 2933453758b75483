import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { startHookReceiver } from './receiver.js';

let gw: TestGateway;
let receiver: Awaited<ReturnType<typeof startHookReceiver>>;

const CREATE = 'mutation($i: AlertChannelInput!){ createAlertChannel(input: $i){ id name kind url hasSecret enabled } }';
const TEST = 'mutation($id: ID!){ sendTestAlert(channelId: $id){ ok error channel kind } }';

async function channel(name: string, kind: string, path: string, secret?: string) {
  const created = await gw.admin<{ createAlertChannel: { id: string; url: string; hasSecret: boolean } }>(CREATE, {
    i: { name, kind, url: `${receiver.url}${path}`, ...(secret ? { secret } : {}) },
  });
  return created.createAlertChannel;
}

async function testAlert(id: string) {
  const before = receiver.hooks.length;
  const result = (await gw.admin<{ sendTestAlert: { ok: boolean; error: string | null } }>(TEST, { id })).sendTestAlert;
  expect(receiver.hooks.length).toBe(before + 1);
  return { result, hook: receiver.hooks.at(-1)! };
}

beforeAll(async () => {
  gw = await startTestGateway();
  receiver = await startHookReceiver();
});

afterAll(async () => {
  await gw?.stop();
  await receiver?.close();
});

describe('alert channels: payload shapes and signatures, on loopback receivers', () => {
  test('generic webhook: JSON alert, HMAC-SHA256 over "<timestamp>.<body>"', async () => {
    const secret = 'webhook-signing-secret';
    const c = await channel('ops webhook', 'WEBHOOK', '/webhook/ops?token=abc123secret', secret);
    expect(c.hasSecret).toBe(true);
    expect(c.url).not.toContain('abc123secret');
    const { result, hook } = await testAlert(c.id);
    expect(result).toMatchObject({ ok: true, channel: 'ops webhook', kind: 'webhook' });
    expect(hook.body).toMatchObject({
      kind: 'test',
      severity: 'info',
      title: 'Test alert for ops webhook',
      dedupKey: `test:${c.id}`,
      labels: { channel: 'ops webhook' },
    });
    expect(new Date(hook.body.at).getTime()).toBeGreaterThan(Date.now() - 60_000);
    const ts = String(hook.headers['x-gateway-timestamp']);
    expect(Math.abs(Number(ts) - Date.now() / 1000)).toBeLessThan(60);
    const expected = `sha256=${createHmac('sha256', secret).update(`${ts}.${hook.raw}`).digest('hex')}`;
    expect(hook.headers['x-gateway-signature']).toBe(expected);
    // A different secret would not verify.
    expect(hook.headers['x-gateway-signature']).not.toBe(`sha256=${createHmac('sha256', 'other').update(`${ts}.${hook.raw}`).digest('hex')}`);
  });

  test('a webhook without a secret is not signed', async () => {
    const c = await channel('plain webhook', 'WEBHOOK', '/webhook/plain');
    const { hook } = await testAlert(c.id);
    expect(hook.headers['x-gateway-signature']).toBeUndefined();
  });

  test('Slack incoming webhook: text and a mrkdwn section block', async () => {
    const c = await channel('slack', 'SLACK', '/slack/T000/B000/XXXX');
    const { result, hook } = await testAlert(c.id);
    expect(result.ok).toBe(true);
    expect(hook.body.text).toBe('Test alert for slack');
    expect(hook.body.blocks).toEqual([{ type: 'section', text: { type: 'mrkdwn', text: expect.stringContaining('*🔵 Test alert for slack*') } }]);
  });

  test('Feishu custom bot: msg_type text; timestamp and sign = base64(HMAC-SHA256 keyed "<ts>\\n<secret>" over "")', async () => {
    const secret = 'feishu-sign-secret';
    const c = await channel('feishu', 'FEISHU', '/feishu/open-apis/bot/v2/hook/abc', secret);
    const { result, hook } = await testAlert(c.id);
    expect(result.ok).toBe(true);
    expect(hook.body.msg_type).toBe('text');
    expect(hook.body.content.text).toContain('Test alert for feishu');
    const ts = hook.body.timestamp as string;
    expect(ts).toMatch(/^\d{10}$/);
    expect(hook.body.sign).toBe(createHmac('sha256', `${ts}\n${secret}`).update('').digest('base64'));
  });

  test('DingTalk robot: markdown; timestamp (ms) and sign = urlencode(base64(HmacSHA256(secret, "<ts>\\n<secret>"))) in the query', async () => {
    const secret = 'SECdingtalk-secret';
    const c = await channel('dingtalk', 'DINGTALK', '/dingtalk/robot/send?access_token=tok', secret);
    const { result, hook } = await testAlert(c.id);
    expect(result.ok).toBe(true);
    expect(hook.query.get('access_token')).toBe('tok');
    const ts = hook.query.get('timestamp')!;
    expect(ts).toMatch(/^\d{13}$/);
    // URLSearchParams decodes once: what DingTalk compares is the base64 value.
    expect(hook.query.get('sign')).toBe(createHmac('sha256', secret).update(`${ts}\n${secret}`).digest('base64'));
    expect(hook.body).toMatchObject({
      msgtype: 'markdown',
      markdown: { title: 'Test alert for dingtalk', text: expect.stringContaining('### 🔵 Test alert for dingtalk') },
    });
  });

  test('WeCom group robot: markdown content', async () => {
    const c = await channel('wecom', 'WECOM', '/wecom/cgi-bin/webhook/send?key=k');
    const { result, hook } = await testAlert(c.id);
    expect(result.ok).toBe(true);
    expect(hook.body).toEqual({ msgtype: 'markdown', markdown: { content: expect.stringContaining('**🔵 Test alert for wecom**') } });
  });

  test('a chat API refusing in a 200 body is a failed delivery; history keeps every test alert with its result', async () => {
    const c = await channel('refusing bot', 'DINGTALK', '/refuse', 'bad-secret');
    const { result } = await testAlert(c.id);
    expect(result.ok).toBe(false);
    expect(result.error).toContain('310000');
    const history = (await gw.admin<{ alertHistory: Array<{ kind: string }> }>('{ alertHistory { ruleName kind title deliveries { channel ok error } } }'))
      .alertHistory;
    expect(history[0]).toMatchObject({
      ruleName: 'test',
      kind: 'test',
      title: 'Test alert for refusing bot',
      deliveries: [{ channel: 'refusing bot', ok: false }],
    });
    expect(history.filter((h: { kind: string }) => h.kind === 'test').length).toBe(7);
  });

  test('rules are validated: unknown channels and bad parameters are refused', async () => {
    const c = await channel('rules target', 'WEBHOOK', '/webhook/rules');
    const RULE = 'mutation($i: AlertRuleInput!){ createAlertRule(input: $i){ id kind params channelIds cooldownSeconds } }';
    const ok = (
      await gw.admin<{ createAlertRule: unknown }>(RULE, { i: { name: 'budget watch', kind: 'BUDGET', params: { thresholds: [80] }, channelIds: [c.id] } })
    ).createAlertRule;
    expect(ok).toMatchObject({ kind: 'BUDGET', params: { thresholds: [80] }, channelIds: [c.id], cooldownSeconds: 600 });
    const bad = await gw.gql(RULE, { i: { name: 'bad', kind: 'ERROR_RATE', params: { threshold: 5 }, channelIds: [c.id] } }, await gw.adminToken());
    expect(bad.errors?.[0].message).toContain('threshold');
    const unknown = await gw.gql(RULE, { i: { name: 'bad2', kind: 'TARGET_DOWN', params: {}, channelIds: ['nope'] } }, await gw.adminToken());
    expect(unknown.errors?.[0].message).toContain('unknown channel');
  });
});
