import { z } from 'zod';
import { errorSplitByProvider } from '../../observability/error-split.js';
import { builder } from '../builder.js';
import { validate } from '../validate.js';

const ErrorSplit = builder.simpleObject('ProviderErrorSplit', {
  description: "Failed requests of one provider split by who refused them (gateway refusals are not the provider's fault).",
  fields: (t) => ({
    providerId: t.id({ nullable: true }),
    requests: t.int({ description: 'Every request routed to this provider, refused or not.' }),
    providerErrors: t.int({ description: 'Failed after at least one upstream attempt (status ≥ 400, 499 excluded).' }),
    gatewayRefusals: t.int({ description: 'Refused by the gateway before any upstream attempt: key, limits, budget, model not allowed, bad request.' }),
    providerErrorRate: t.float({ description: 'providerErrors over the requests that reached the provider (requests − gatewayRefusals).' }),
  }),
});

const rangeSchema = z.object({ from: z.date(), to: z.date() }).refine((r) => r.from < r.to, { message: 'must be after from', path: ['to'] });

builder.queryField('providerErrorSplit', (t) =>
  t.field({
    type: [ErrorSplit],
    description: 'Per provider over [from, to): provider errors and gateway refusals counted apart.',
    args: { from: t.arg({ type: 'DateTime', required: true }), to: t.arg({ type: 'DateTime', required: true }) },
    resolve: async (_root, args, ctx) => {
      const { from, to } = validate(rangeSchema, args);
      const rows = await errorSplitByProvider(ctx.services.db, from, to);
      return rows.map((r) => {
        const reached = r.requests - r.gatewayRefusals;
        return { ...r, providerErrorRate: reached > 0 ? r.providerErrors / reached : 0 };
      });
    },
  }),
);
