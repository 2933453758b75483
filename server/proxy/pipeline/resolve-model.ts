import type { ConfigSnapshot, ModelEntry } from '../../snapshot/types.js';
import { GatewayError } from '../canonical/error.js';

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
