import { isDeepStrictEqual } from 'node:util';
import type { AlertChannelState, ConfigState, ModelSecrets, ModelState, ProviderState, Section } from './state.js';
import { envRef } from './secret-ref.js';

export type ObjectKind = 'provider' | 'model' | 'virtualModel' | 'virtualKey' | 'healthTarget' | 'guardrail' | 'alertChannel' | 'alertRule' | 'settings';
export type ChangeAction = 'create' | 'update' | 'delete';

/** One field of one object. Secret fields show references only, never values. */
export interface FieldChange {
  field: string;
  from?: unknown;
  to?: unknown;
}
export interface Change {
  kind: ObjectKind;
  /** The object's name (`kind:model` for health targets). */
  name: string;
  action: ChangeAction;
  fields: FieldChange[];
}
export interface Plan {
  changes: Change[];
  /** Objects the file lacks that `prune` would delete (already in `changes` when pruning). */
  unmanaged: Array<{ kind: ObjectKind; name: string }>;
}

const SECTION_KIND: Record<Exclude<Section, 'settings'>, ObjectKind> = {
  providers: 'provider',
  models: 'model',
  virtualModels: 'virtualModel',
  virtualKeys: 'virtualKey',
  healthTargets: 'healthTarget',
  guardrails: 'guardrail',
  alertChannels: 'alertChannel',
  alertRules: 'alertRule',
};
const OBJECT_SECTIONS = Object.keys(SECTION_KIND) as Array<keyof typeof SECTION_KIND>;

function fieldChanges(from: Record<string, unknown> | undefined, to: Record<string, unknown> | undefined, skip: string[] = []): FieldChange[] {
  const names = new Set([...Object.keys(from ?? {}), ...Object.keys(to ?? {})]);
  const out: FieldChange[] = [];
  for (const field of [...names].sort()) {
    if (skip.includes(field)) continue;
    const a = from?.[field];
    const b = to?.[field];
    if (!isDeepStrictEqual(a, b)) out.push({ field, ...(a !== undefined ? { from: a } : {}), ...(b !== undefined ? { to: b } : {}) });
  }
  return out;
}

/** Request-default headers of a model: secret like provider headers; the body compares as is. */
function modelChanges(current: ModelState, desired: ModelState, secrets: { current?: ModelSecrets; desired?: ModelSecrets }): FieldChange[] {
  const out = fieldChanges(current, desired, ['requestDefaults']);
  const a = current.requestDefaults?.body;
  const b = desired.requestDefaults?.body;
  if (!isDeepStrictEqual(a, b)) out.push({ field: 'requestDefaults.body', ...(a !== undefined ? { from: a } : {}), ...(b !== undefined ? { to: b } : {}) });
  const pseudo = (decl: ModelState, s: ModelSecrets | undefined): ProviderState => ({
    decl: { name: decl.name, type: 'openai', baseUrl: '', enabled: true, headers: decl.requestDefaults?.headers },
    secrets: { headers: s?.headers ?? {} },
    storedRefs: s?.storedRefs ? { headers: s.storedRefs } : undefined,
  });
  for (const change of secretChanges(pseudo(current, secrets.current), pseudo(desired, secrets.desired))) {
    out.push({ ...change, field: `requestDefaults.${change.field}` });
  }
  return out.sort((x, y) => x.field.localeCompare(y.field));
}

/**
 * One secret field: a change of reference, or of the value behind the same
 * reference. Only references are shown, never values.
 */
function secretChange(
  field: string,
  current: { ref: string | undefined; storedRef: string | undefined; value: string | undefined },
  desired: { ref: string | undefined; value: string | undefined },
): FieldChange | undefined {
  const present = current.value !== undefined || current.ref !== undefined;
  const from = !present ? undefined : current.storedRef ? envRef(current.storedRef) : current.ref ? `${current.ref} (value set in the admin UI)` : undefined;
  const sameRef = current.storedRef !== undefined ? envRef(current.storedRef) === desired.ref : desired.ref === undefined && current.ref === undefined;
  if (sameRef && current.value === desired.value) return undefined;
  if (desired.ref === undefined && current.ref === undefined) return undefined;
  return {
    field,
    ...(from !== undefined ? { from } : {}),
    ...(desired.ref !== undefined ? { to: sameRef ? `${desired.ref} (new value)` : desired.ref } : {}),
  };
}

/** Key and headers of a provider. */
function secretChanges(current: ProviderState, desired: ProviderState): FieldChange[] {
  const stored = current.storedRefs ?? { headers: {} };
  const out = [
    secretChange(
      'apiKey',
      { ref: current.decl.apiKey, storedRef: stored.apiKey, value: current.secrets.apiKey },
      { ref: desired.decl.apiKey, value: desired.secrets.apiKey },
    ),
  ];
  const headerNames = new Set([...Object.keys(current.decl.headers ?? {}), ...Object.keys(desired.decl.headers ?? {})]);
  for (const name of [...headerNames].sort()) {
    out.push(
      secretChange(
        `headers.${name}`,
        { ref: current.decl.headers?.[name], storedRef: stored.headers[name], value: current.secrets.headers[name] },
        { ref: desired.decl.headers?.[name], value: desired.secrets.headers[name] },
      ),
    );
  }
  return out.filter((c): c is FieldChange => c !== undefined);
}

/** An alert channel's URL (it carries the bot token) and signing secret are secrets like a provider's key. */
function channelChanges(current: AlertChannelState, desired: AlertChannelState): FieldChange[] {
  const out = fieldChanges(current.decl, desired.decl, ['url', 'secret']);
  for (const field of ['url', 'secret'] as const) {
    const change = secretChange(
      field,
      { ref: current.decl[field], storedRef: current.storedRefs?.[field], value: current.secrets[field] },
      { ref: desired.decl[field], value: desired.secrets[field] },
    );
    if (change) out.push(change);
  }
  return out.sort((x, y) => x.field.localeCompare(y.field));
}

/**
 * What applying `desired` to `current` does, object by object and field by
 * field. Only sections the file declares are compared; without `prune`,
 * objects the file lacks are left alone (listed in `unmanaged`).
 */
export function planChanges(current: ConfigState, desired: ConfigState, sections: Set<Section>, prune: boolean): Plan {
  const changes: Change[] = [];
  const unmanaged: Plan['unmanaged'] = [];
  if (sections.has('settings')) {
    const fields = fieldChanges(current.settings, desired.settings).filter((f) => f.to !== undefined);
    if (fields.length) changes.push({ kind: 'settings', name: 'settings', action: 'update', fields });
  }
  for (const section of OBJECT_SECTIONS) {
    if (!sections.has(section)) continue;
    const kind = SECTION_KIND[section];
    const have = current[section] as Map<string, unknown>;
    const want = desired[section] as Map<string, unknown>;
    const view = (value: unknown) =>
      (section === 'providers' ? (value as ProviderState).decl : section === 'alertChannels' ? (value as AlertChannelState).decl : value) as Record<
        string,
        unknown
      >;
    for (const [name, target] of want) {
      const existing = have.get(name);
      if (existing === undefined) {
        changes.push({ kind, name, action: 'create', fields: fieldChanges(undefined, view(target)) });
        continue;
      }
      const fields =
        section === 'providers'
          ? [...fieldChanges(view(existing), view(target), ['apiKey', 'headers']), ...secretChanges(existing as ProviderState, target as ProviderState)]
          : section === 'models'
            ? modelChanges(existing as ModelState, target as ModelState, { current: current.modelSecrets.get(name), desired: desired.modelSecrets.get(name) })
            : section === 'alertChannels'
              ? channelChanges(existing as AlertChannelState, target as AlertChannelState)
              : fieldChanges(view(existing), view(target));
      if (fields.length) changes.push({ kind, name, action: 'update', fields });
    }
    for (const [name, existing] of have) {
      if (want.has(name)) continue;
      unmanaged.push({ kind, name });
      if (prune) changes.push({ kind, name, action: 'delete', fields: fieldChanges(view(existing), undefined) });
    }
  }
  return { changes, unmanaged };
}

/** Text for people: `+ create`, `~ update`, `- delete`, one line per field. */
export function formatPlan(plan: Plan, prune: boolean): string {
  const sign: Record<ChangeAction, string> = { create: '+', update: '~', delete: '-' };
  const show = (v: unknown) => (v === undefined ? '(unset)' : JSON.stringify(v));
  const lines: string[] = [];
  for (const change of plan.changes) {
    lines.push(`${sign[change.action]} ${change.action} ${change.kind} "${change.name}"`);
    if (change.action === 'update') for (const f of change.fields) lines.push(`    ${f.field}: ${show(f.from)} -> ${show(f.to)}`);
    else if (change.action === 'create') for (const f of change.fields) lines.push(`    ${f.field}: ${show(f.to)}`);
  }
  const counts = (action: ChangeAction) => plan.changes.filter((c) => c.action === action).length;
  lines.push(
    plan.changes.length
      ? `${counts('create')} to create, ${counts('update')} to change, ${counts('delete')} to delete`
      : 'No changes: the gateway matches the file.',
  );
  if (!prune && plan.unmanaged.length) {
    lines.push(
      `${plan.unmanaged.length} object(s) not in the file are kept (--prune deletes them): ${plan.unmanaged.map((u) => `${u.kind} "${u.name}"`).join(', ')}`,
    );
  }
  return lines.join('\n') + '\n';
}
