import { generateVirtualKey } from '../../keys/virtual-key-token.js';
import { builder } from '../builder.js';
import { configChanged } from '../../snapshot/config-changed.js';

/** Virtual keys the admin UI's playground sends with: one per admin, marked as a system key. */
export const PLAYGROUND_PURPOSE = 'playground';

const PlaygroundKey = builder.objectRef<{ key: string; keyId: string; name: string }>('PlaygroundKey');
PlaygroundKey.implement({
  description: "The signed-in admin's playground key: every model, no limits, no body logging.",
  fields: (t) => ({
    /** Plaintext, for this browser only: asking again replaces it. */
    key: t.exposeString('key'),
    keyId: t.exposeID('keyId'),
    name: t.exposeString('name'),
  }),
});

builder.mutationField('playgroundKey', (t) =>
  t.field({
    type: PlaygroundKey,
    description:
      "Issues a fresh plaintext for the signed-in admin's playground key (created on first use). " +
      'Its requests are ordinary /v1 traffic and land in the request log under this key.',
    resolve: async (_root, _args, ctx) => {
      const { db } = ctx.services;
      const user = ctx.user!;
      const name = `Playground · ${user.email}`;
      const { key, hash, prefix } = generateVirtualKey();
      // Only the hash is stored, so a lost plaintext is replaced rather than read back.
      const existing = await db.virtualKey.findFirst({ where: { purpose: PLAYGROUND_PURPOSE, name, revokedAt: null } });
      const row = existing
        ? await db.virtualKey.update({ where: { id: existing.id }, data: { keyHash: hash, keyPrefix: prefix, enabled: true } })
        : await db.virtualKey.create({ data: { name, keyHash: hash, keyPrefix: prefix, purpose: PLAYGROUND_PURPOSE, logBodies: false } });
      await configChanged(ctx.services);
      return { key, keyId: row.id, name };
    },
  }),
);
