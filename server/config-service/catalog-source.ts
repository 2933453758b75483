import { z } from 'zod';
import { CatalogRejectedError } from '../catalog/validate.js';
import { CATALOG_SOURCE_KINDS, type CatalogSourceSetting } from '../settings/catalog-source.js';
import type { ConfigActor } from './change.js';
import type { EntityDeps } from './deps.js';
import { ConfigInputError } from './errors.js';

const SETTING_KEY = 'catalogSource';

export const catalogSourceInputSchema = z.object({
  kind: z.enum(CATALOG_SOURCE_KINDS),
  /** For `url`: an http(s):// or file:// address. */
  url: z.string().trim().max(2_000).optional(),
  /** For `upload`: the file's name and its text (LiteLLM's model_prices_and_context_window.json format). */
  fileName: z.string().trim().max(200).optional(),
  text: z.string().optional(),
});
export type CatalogSourceInput = z.output<typeof catalogSourceInputSchema>;

/** The parts of the catalog the source setting drives. */
export interface CatalogSourceDeps extends Pick<EntityDeps, 'db' | 'changed'> {
  catalog: { storeUpload(fileName: string, text: string): Promise<void> };
}

function settingOf(input: CatalogSourceInput): CatalogSourceSetting {
  switch (input.kind) {
    case 'builtin':
    case 'default':
      return { kind: input.kind };
    case 'url': {
      const url = input.url ?? '';
      if (!/^(https?|file):\/\/\S+$/i.test(url)) throw new ConfigInputError('url: must be an http(s):// or file:// address', 'url');
      return { kind: 'url', url };
    }
    case 'upload': {
      if (!input.text) throw new ConfigInputError('text: choose a catalog file to upload', 'text');
      // The time tells a second upload of the same file name apart (other instances re-read the copy on a change).
      return { kind: 'upload', fileName: input.fileName || 'catalog.json', uploadedAt: new Date().toISOString() };
    }
    default: {
      const _exhaustive: never = input.kind;
      return _exhaustive;
    }
  }
}

/**
 * Where the catalog refreshes from (the `catalogSource` setting). An uploaded file is validated and
 * stored as the copy in use before the setting changes, so a rejected file changes nothing.
 */
export function catalogSourceConfig(deps: CatalogSourceDeps) {
  return {
    async update(actor: ConfigActor, input: CatalogSourceInput): Promise<CatalogSourceSetting> {
      const after = settingOf(input);
      if (after.kind === 'upload') {
        try {
          await deps.catalog.storeUpload(after.fileName, input.text!);
        } catch (error) {
          if (error instanceof CatalogRejectedError) throw new ConfigInputError(`text: catalog rejected: ${error.message}`, 'text');
          throw error;
        }
      }
      const row = await deps.db.setting.findUnique({ where: { key: SETTING_KEY } });
      const before = (row?.value ?? null) as CatalogSourceSetting | null;
      await deps.db.setting.upsert({ where: { key: SETTING_KEY }, create: { key: SETTING_KEY, value: after as never }, update: { value: after as never } });
      await deps.changed([{ actor, entity: 'settings', action: 'update', id: null, name: SETTING_KEY, before, after }]);
      return after;
    },
  };
}
