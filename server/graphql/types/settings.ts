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

builder.queryField('settings', (t) =>
  t.field({ type: SettingsType, resolve: (_root, _args, ctx) => ctx.services.settings.read() }),
);

builder.mutationField('updateSettings', (t) =>
  t.field({
    type: SettingsType,
    args: { input: t.arg({ type: UpdateSettingsInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      if (input.monitoringEnabled !== null && input.monitoringEnabled !== undefined) {
        // Creates the monitoring key on the first switch-on, then starts or stops the scheduler.
        await ctx.services.health.setEnabled(input.monitoringEnabled);
      }
      return ctx.services.settings.read();
    },
  }),
);
