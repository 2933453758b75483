import { builder } from '../builder.js';

const ConfigChanged = builder.simpleObject('ConfigChanged', {
  fields: (t) => ({ version: t.int(), at: t.field({ type: 'DateTime' }) }),
});

builder.subscriptionField('configChanged', (t) =>
  t.field({
    type: ConfigChanged,
    description: 'Fires after any admin change to providers, models, keys or routes is live.',
    subscribe: (_root, _args, ctx) => ctx.services.events.subscribe('configChanged'),
    resolve: (event) => event,
  }),
);
