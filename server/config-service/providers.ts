import { z } from 'zod';
import { maskSecret } from '../crypto/secret-box.js';
import { mergeHeaders, sealHeaders } from '../crypto/sealed-headers.js';
import { providerOptionsSchema } from '../proxy/providers/options-schema.js';
import { findPreset } from '../proxy/providers/presets.js';
import type { ConfigActor } from './change.js';
import type { EntityDeps } from './deps.js';
import { ConfigInputError, unique } from './errors.js';
import { deleteOne, requireRow } from './delete-one.js';

const headerName = z.string().regex(/^[A-Za-z0-9-]+$/, 'header names are letters, digits and dashes');
const fields = {
  name: z.string().trim().min(1, 'is required').max(100),
  type: z.string().refine((v) => findPreset(v) !== undefined, { message: 'unknown provider type (see providerPresets)' }),
  baseUrl: z
    .string()
    .trim()
    .url('must be an absolute http(s) URL')
    .refine((v) => /^https?:\/\//.test(v), 'must use http or https'),
  apiKey: z.string().trim().max(4096).optional(),
  headers: z.record(headerName, z.string()).optional(),
  options: providerOptionsSchema.optional(),
  enabled: z.boolean().optional(),
};
export const createProviderSchema = z.object(fields);
export const updateProviderSchema = z
  .object(fields)
  .partial()
  .extend({
    // empty string or null removes the stored key
    apiKey: z.string().trim().max(4096).nullable().optional(),
    // null keeps the stored (write-only) value of that header
    headers: z.record(headerName, z.string().nullable()).optional(),
  });
export type CreateProvider = z.infer<typeof createProviderSchema>;
export type UpdateProvider = z.infer<typeof updateProviderSchema>;

const trimSlashes = (url: string) => url.replace(/\/+$/, '');
const duplicate = (name: string | undefined) => `A provider named "${name}" already exists`;

/** Providers: keys and header values sealed at rest, models deleted with their provider. */
export function providersConfig(deps: EntityDeps) {
  const { db, secretBox } = deps;
  return {
    async create(actor: ConfigActor, data: CreateProvider) {
      const created = await unique(
        () =>
          db.provider.create({
            data: {
              name: data.name,
              type: data.type,
              baseUrl: trimSlashes(data.baseUrl),
              apiKeyEncrypted: data.apiKey ? secretBox.seal(data.apiKey) : null,
              apiKeyHint: data.apiKey ? maskSecret(data.apiKey) : null,
              headers: data.headers ? (sealHeaders(data.headers, secretBox) as object) : undefined,
              options: data.options ?? undefined,
              enabled: data.enabled ?? true,
            },
          }),
        duplicate(data.name),
      );
      await deps.changed([{ actor, entity: 'provider', action: 'create', id: created.id, name: created.name, after: created }]);
      return created;
    },

    async update(actor: ConfigActor, id: string, data: UpdateProvider) {
      const existing = await requireRow(db.provider, id, 'Provider');
      let headers: object | undefined;
      if (data.headers !== undefined) {
        const merged = mergeHeaders(existing.headers, data.headers, secretBox);
        if ('unknown' in merged) throw new ConfigInputError(`headers.${merged.unknown}: no stored value to keep`, `headers.${merged.unknown}`);
        headers = merged.headers;
      }
      const keyChange =
        data.apiKey === undefined
          ? {}
          : data.apiKey === null || data.apiKey === ''
            ? { apiKeyEncrypted: null, apiKeyHint: null }
            : { apiKeyEncrypted: secretBox.seal(data.apiKey), apiKeyHint: maskSecret(data.apiKey) };
      const updated = await unique(
        () =>
          db.provider.update({
            where: { id },
            data: {
              ...(data.name !== undefined ? { name: data.name } : {}),
              ...(data.type !== undefined ? { type: data.type } : {}),
              ...(data.baseUrl !== undefined ? { baseUrl: trimSlashes(data.baseUrl) } : {}),
              ...(headers !== undefined ? { headers } : {}),
              ...(data.options !== undefined ? { options: data.options } : {}),
              ...(data.enabled !== undefined ? { enabled: data.enabled } : {}),
              ...keyChange,
            },
          }),
        duplicate(data.name),
      );
      await deps.changed([{ actor, entity: 'provider', action: 'update', id, name: updated.name, before: existing, after: updated }]);
      return updated;
    },

    /** Deletes the provider and its models. */
    async delete(actor: ConfigActor, id: string): Promise<void> {
      await deleteOne(deps, actor, 'provider', 'Provider', db.provider, id);
    },
  };
}
