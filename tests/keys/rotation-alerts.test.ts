import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createKey } from '../support/admin.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { waitFor } from '../support/wait.js';
import { startHookReceiver } from '../alerts/receiver.js';

// The key-expiry alert rule sees a rotated key's grace period ending, once per rotation.
describe('rotation deadlines reach the key-expiry alert rule', () => {
  let gw: TestGateway;
  let receiver: Awaited<ReturnType<typeof startHookReceiver>>;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  beforeAll(async () => {
    gw = await startTestGateway({ ALERTS_INTERVAL_MS: '150' });
    receiver = await startHookReceiver();
  });
  afterAll(async () => {
    await gw?.stop();
    await receiver?.close();
  });

  test('a grace period ending within N days is alerted once; the new key (no expiry) is not', async () => {
    const channel = (
      await gw.admin<{ createAlertChannel: { id: string } }>('mutation($i: AlertChannelInput!){ createAlertChannel(input: $i){ id } }', {
        i: { name: 'hook', kind: 'WEBHOOK', url: `${receiver.url}/webhook/rotation` },
      })
    ).createAlertChannel.id;
    const key = await createKey(gw, { name: 'rotating-soon' });
    const rotated = await gw.admin<{ rotateVirtualKey: { virtualKey: { previousKeyExpiresAt: string } } }>(
      'mutation($id: ID!) { rotateVirtualKey(id: $id, gracePeriodSeconds: 172800) { virtualKey { previousKeyExpiresAt } } }',
      { id: key.id },
    );
    await gw.admin('mutation($i: AlertRuleInput!){ createAlertRule(input: $i){ id } }', {
      i: { name: 'expiry', kind: 'KEY_EXPIRY', params: { days: 7 }, channelIds: [channel] },
    });
    const expiry = () => receiver.hooks.filter((h) => h.body.kind === 'key_expiry');
    const alert = await waitFor(() => expiry()[0], { what: 'the rotation alert' });
    expect(alert.body).toMatchObject({
      title: 'The previous key of rotating-soon stops working in 2 days',
      labels: { key: 'rotating-soon', keyId: key.id, rotated: 'yes', expiresAt: rotated.rotateVirtualKey.virtualKey.previousKeyExpiresAt },
    });
    await sleep(600);
    expect(expiry()).toHaveLength(1);
  });
});
