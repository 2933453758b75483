/**
 * The client APIs the gateway serves, as the suites that run one case per
 * client API call them: the path and the smallest body each accepts.
 */
export type ClientApi = 'chat-completions' | 'responses' | 'messages';

export const CLIENT_APIS: ClientApi[] = ['chat-completions', 'responses', 'messages'];

export const CLIENT_PATHS: Record<ClientApi, string> = { 'chat-completions': '/v1/chat/completions', responses: '/v1/responses', messages: '/v1/messages' };

/** One user turn of `text` in the client API's own request shape. */
export function clientBody(api: ClientApi, model: string, stream: boolean, text = 'Say hello'): Record<string, unknown> {
  switch (api) {
    case 'chat-completions':
      return { model, stream, messages: [{ role: 'user', content: text }] };
    case 'responses':
      return { model, stream, input: text };
    case 'messages':
      return { model, stream, max_tokens: 64, messages: [{ role: 'user', content: text }] };
    default: {
      const _exhaustive: never = api;
      throw new Error(`unknown client API ${String(_exhaustive)}`);
    }
  }
}
