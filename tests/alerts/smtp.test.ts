import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

interface Mail {
  from: string;
  to: string[];
  user?: string;
  data: string;
}

// A real SMTP server on loopback (plain, with AUTH PLAIN/LOGIN accepted for one user).
async function startMailServer() {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authOptional: true,
    onAuth(auth, _session, callback) {
      if (auth.username === 'alerts' && auth.password === 'p@ss word') return callback(null, { user: auth.username });
      callback(new Error('Invalid username or password'));
    },
    onData(stream, session, callback) {
      let data = '';
      stream.on('data', (c: Buffer) => (data += c.toString('utf8')));
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          user: session.user as string | undefined,
          data,
        });
        callback();
      });
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.server.address() as AddressInfo;
  return { port, mails, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('the smtp channel', () => {
  let gw: TestGateway;
  let smtp: Awaited<ReturnType<typeof startMailServer>>;
  const CREATE = 'mutation($i: AlertChannelInput!){ createAlertChannel(input: $i){ id url } }';

  beforeAll(async () => {
    gw = await startTestGateway();
    smtp = await startMailServer();
  });

  afterAll(async () => {
    await gw?.stop();
    await smtp?.close();
  });

  test('a test alert is a mail from and to the configured addresses, through the server in the sealed URL (credentials included)', async () => {
    const channel = (
      await gw.admin<{ createAlertChannel: { id: string; url: string } }>(CREATE, {
        i: {
          name: 'on-call mail',
          kind: 'SMTP',
          url: `smtp://alerts:${encodeURIComponent('p@ss word')}@127.0.0.1:${smtp.port}`,
          options: { from: 'gateway@example.com', to: ['oncall@example.com', 'lead@example.com'] },
        },
      })
    ).createAlertChannel;
    expect(channel.url).not.toContain('p@ss');
    const result = (
      await gw.admin<{ sendTestAlert: { ok: boolean; error: string | null } }>('mutation($id: ID!){ sendTestAlert(channelId: $id){ ok error } }', {
        id: channel.id,
      })
    ).sendTestAlert;
    expect(result).toEqual({ ok: true, error: null });
    expect(smtp.mails).toHaveLength(1);
    const mail = smtp.mails[0];
    expect(mail).toMatchObject({ from: 'gateway@example.com', to: ['oncall@example.com', 'lead@example.com'], user: 'alerts' });
    expect(mail.data).toMatch(/^Subject: \[INFO\] Test alert for on-call mail$/m);
    expect(mail.data).toMatch(/^X-Gateway-Alert: test$/m);
    // The body is quoted-printable: soft line breaks removed, it reads as sent.
    expect(mail.data.replace(/=\r\n/g, '')).toContain('If you can read this, the channel works.');
  });

  test('wrong credentials are a failed delivery; a channel without recipients is refused', async () => {
    const bad = (
      await gw.admin<{ createAlertChannel: { id: string } }>(CREATE, {
        i: {
          name: 'bad mail',
          kind: 'SMTP',
          url: `smtp://alerts:wrong@127.0.0.1:${smtp.port}`,
          options: { from: 'gateway@example.com', to: ['oncall@example.com'] },
        },
      })
    ).createAlertChannel;
    const result = (
      await gw.admin<{ sendTestAlert: { ok: boolean; error: string | null } }>('mutation($id: ID!){ sendTestAlert(channelId: $id){ ok error } }', {
        id: bad.id,
      })
    ).sendTestAlert;
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(/Invalid username or password|auth/i);
    const refused = await gw.gql(
      CREATE,
      { i: { name: 'no rcpt', kind: 'SMTP', url: `smtp://127.0.0.1:${smtp.port}`, options: { from: 'gateway@example.com' } } },
      await gw.adminToken(),
    );
    expect(refused.errors?.[0].message).toContain('options.to');
    const http = await gw.gql(
      CREATE,
      { i: { name: 'http mail', kind: 'SMTP', url: 'https://example.com', options: { from: 'a@b.c', to: ['d@e.f'] } } },
      await gw.adminToken(),
    );
    expect(http.errors?.[0].message).toContain('smtp://');
  });
});
