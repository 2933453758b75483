import { actorOf } from '../actor.js';
import { builder } from '../builder.js';

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
    resolve: (_root, _args, ctx) => ctx.services.configService.virtualKeys.playgroundKey(actorOf(ctx)),
  }),
);
