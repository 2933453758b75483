import type { VirtualModelEntry } from '../../snapshot/types.js';
import type { ConfigSnapshot, ModelEntry } from '../../snapshot/types.js';
import { GatewayError } from '../../core/error.js';

export type Resolved = { kind: 'model'; model: ModelEntry } | { kind: 'route'; route: VirtualModelEntry };

/** A public name: a virtual model (route) or a real model. Unknown or disabled → 404. */
export function resolveName(snapshot: ConfigSnapshot, name: string): Resolved {
  const route = snapshot.virtualModelsByName.get(name);
  if (route?.enabled && route.targets.length > 0) return { kind: 'route', route };
  return { kind: 'model', model: resolveModel(snapshot, name) };
}

/** The model behind a public name, from the snapshot. Unknown or disabled → 404 in the caller's format. */
export function resolveModel(snapshot: ConfigSnapshot, name: string): ModelEntry {
  const model = snapshot.modelsByName.get(name);
  if (!model || !model.enabled || !model.provider.enabled) {
    throw new GatewayError({
      status: 404,
      kind: 'not_found',
      code: 'model_not_found',
      param: 'model',
      message: `The model "${name}" does not exist or is not enabled on this gateway`,
    });
  }
  return model;
}
