import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '../../http/json.js';
import { authenticate, mayUseModel } from '../../keys/authenticate.js';
import type { ConfigSnapshot } from '../../snapshot/types.js';
import type { PipelineDeps } from '../pipeline/context.js';
import { CLIENT_FORMATS } from '../formats/registry.js';
import { asGatewayError, sendClientError } from '../pipeline/errors.js';

/**
 * GET /v1/models: the models this key may use, in OpenAI's list shape, or in
 * Anthropic's when the caller sends `anthropic-version` (as the Anthropic SDK does).
 */
export function modelsListHandler(services: Pick<PipelineDeps, 'snapshot'>) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const anthropic = typeof req.headers['anthropic-version'] === 'string';
    try {
      const snapshot = services.snapshot.current;
      const key = authenticate(req.headers, snapshot);
      const names = publicModelNames(snapshot).filter((m) => mayUseModel(key, m.id));
      if (anthropic) {
        const data = names.map((m) => ({ type: 'model', id: m.id, display_name: m.id, created_at: new Date(m.created * 1000).toISOString() }));
        return sendJson(res, 200, { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null });
      }
      sendJson(res, 200, {
        object: 'list',
        data: names.map((m) => ({ id: m.id, object: 'model', created: m.created, owned_by: m.ownedBy })),
      });
    } catch (error) {
      sendClientError(res, CLIENT_FORMATS[anthropic ? 'messages' : 'chat-completions'], asGatewayError(error));
    }
  };
}

function publicModelNames(snapshot: ConfigSnapshot) {
  const out: Array<{ id: string; created: number; ownedBy: string }> = [];
  for (const model of snapshot.modelsByName.values()) {
    if (model.enabled && model.provider.enabled) out.push({ id: model.name, created: model.createdAt, ownedBy: model.provider.name });
  }
  for (const route of snapshot.virtualModelsByName.values()) {
    if (route.enabled && route.targets.length) out.push({ id: route.name, created: route.createdAt, ownedBy: 'gateway' });
  }
  return out.sort((a, b) => a.id.localeCompare(b.id));
}
