// "Copy as curl" for a logged request: the same call against this gateway, with a placeholder key.
const PATHS: Record<string, string> = {
  'chat-completions': '/v1/chat/completions',
  responses: '/v1/responses',
  messages: '/v1/messages',
  embeddings: '/v1/embeddings',
  count_tokens: '/v1/messages/count_tokens',
};

/** Single-quoted for POSIX shells: a quote inside becomes '\''. */
const shellQuote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

/** Null when the API has no known path or the body was not recorded (nothing honest to replay). */
export function curlCommand(origin: string, clientApi: string, body: string | null | undefined): string | null {
  const path = PATHS[clientApi];
  if (!path || !body) return null;
  let compact = body;
  try {
    compact = JSON.stringify(JSON.parse(body));
  } catch {
    // A scrubbed or cut body is sent as it was stored.
  }
  return [
    `curl ${shellQuote(origin + path)}`, // i18n-ignore: a shell command
    `  -H 'Authorization: Bearer '"$GATEWAY_KEY"`, // i18n-ignore
    `  -H 'Content-Type: application/json'`, // i18n-ignore
    `  -d ${shellQuote(compact)}`,
  ].join(' \\\n');
}
