import type { SecretBox } from '../crypto/secret-box.js';
import type { Db } from '../db/client.js';
import { deliver } from './channels.js';
import { channelTargets, recordEvent } from './repository.js';
import type { Delivery } from './types.js';

/** The admin's "send test alert": one alert to one channel (even a disabled one), kept in the history. */
export async function sendTestAlert(db: Db, box: SecretBox, channelId: string, sentBy: string): Promise<Delivery | undefined> {
  const [channel] = await channelTargets(db, box, [channelId], true);
  if (!channel) return undefined;
  const alert = {
    kind: 'test' as const,
    severity: 'info' as const,
    title: `Test alert for ${channel.name}`,
    message: `Sent from the gateway's admin UI by ${sentBy}. If you can read this, the channel works.`,
    dedupKey: `test:${channel.id}`,
    labels: { channel: channel.name },
    at: new Date(),
  };
  const delivery = await deliver(channel, alert);
  await recordEvent(db, { id: null, name: 'test' }, alert, [delivery]);
  return delivery;
}
