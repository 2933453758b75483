import { builder } from '../builder.js';

/** Configuration counts for the dashboard. */
const Overview = builder.simpleObject('Overview', {
  fields: (t) => ({
    providers: t.int(),
    models: t.int(),
    virtualKeys: t.int(),
    virtualModels: t.int(),
    users: t.int(),
  }),
});

builder.queryField('overview', (t) =>
  t.field({
    type: Overview,
    resolve: async (_root, _args, ctx) => {
      const { db } = ctx.services;
      const [providers, models, virtualKeys, virtualModels, users] = await Promise.all([
        db.provider.count(),
        db.model.count(),
        db.virtualKey.count({ where: { revokedAt: null } }),
        db.virtualModel.count(),
        db.user.count(),
      ]);
      return { providers, models, virtualKeys, virtualModels, users };
    },
  }),
);
