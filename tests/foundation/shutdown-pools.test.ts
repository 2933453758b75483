import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { afterAll, describe, expect, test } from 'vitest';
import { createKey, createProviderWithModel } from '../support/admin.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { asyncHandler, listenLocal, readBody, type LocalServer } from '../support/mock-upstreams/serve.js';
import { waitFor } from '../support/wait.js';

/** An OpenAI-compatible upstream that keeps idle connections for two minutes and counts the open ones. */
async function keepAliveUpstream(): Promise<LocalServer & { open: Set<Socket> }> {
  const open = new Set<Socket>();
  const server: Server = createServer(
    asyncHandler(async (req, res) => {
      const { body } = await readBody(req);
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          id: 'chatcmpl-1',
          object: 'chat.completion',
          created: 1,
          model: body?.model ?? 'm',
          choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
        }),
      );
    }),
  );
  // Longer than the gateway's pool keeps a socket idle: only the gateway closing its pool ends it soon.
  server.keepAliveTimeout = 120_000;
  server.on('connection', (socket) => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
  });
  return Object.assign(await listenLocal(server), { open });
}

describe('gateway shutdown', () => {
  let upstream: Awaited<ReturnType<typeof keepAliveUpstream>> | undefined;
  let gw: TestGateway | undefined;
  afterAll(async () => {
    await gw?.stop();
    await upstream?.close();
  });

  test('closing the gateway closes its kept-alive upstream connections', async () => {
    upstream = await keepAliveUpstream();
    gw = await startTestGateway();
    await createProviderWithModel(gw, { name: 'kept-alive', type: 'openai', baseUrl: `${upstream.url}/v1` }, { name: 'pooled', upstreamModel: 'm' });
    const { key } = await createKey(gw);

    const answer = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'pooled', messages: [{ role: 'user', content: 'hello' }] }),
    });
    expect(answer.status).toBe(200);
    await answer.text();
    // The pooled connection stays open after the answer (keep-alive).
    await waitFor(() => upstream!.open.size === 1, { what: 'one kept-alive upstream connection' });

    const stopping = gw;
    gw = undefined;
    await stopping.stop();
    await waitFor(() => upstream!.open.size === 0, { timeoutMs: 2_000, what: 'the upstream connection to close' });
  });
});
