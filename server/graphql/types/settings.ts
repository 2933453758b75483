import { actorOf } from '../actor.js';
import { builder } from '../builder.js';

/**
 * Instance settings. Fields are added by the features that own them
 * (monitoring, catalog); this object is their one home in the API.
 */
export interface SettingsShape {
  monitoringEnabled: boolean;
}

export const SettingsType = builder.objectRef<SettingsShape>('Settings');
SettingsType.implement({
  fields: (t) => ({
    monitoringEnabled: t.exposeBoolean('monitoringEnabled'),
  }),
});

export const UpdateSettingsInput = builder.inputType('UpdateSettingsInput', {
  fields: (t) => ({ monitoringEnabled: t.boolean() }),
});

builder.queryField('settings', (t) => t.field({ type: SettingsType, resolve: (_root, _args, ctx) => ctx.services.settings.read() }));

builder.mutationField('updateSettings', (t) =>
  t.field({
    type: SettingsType,
    args: { input: t.arg({ type: UpdateSettingsInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      await ctx.services.configService.settings.update(actorOf(ctx), { monitoringEnabled: input.monitoringEnabled ?? undefined });
      return ctx.services.settings.read();
    },
  }),
);
