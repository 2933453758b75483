import { isDeepStrictEqual } from 'node:util';
import type { ConfigState, ModelSecrets, ModelState, ProviderState, Section } from './state.js';
import { envRef } from './secret-ref.js';

export type ObjectKind = 'provider' | 'model' | 'virtualModel' | 'virtualKey' | 'healthTarget' | 'settings';
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
};

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

/** Key and headers: a change of reference, or of the value behind the same reference. */
function secretChanges(current: ProviderState, desired: ProviderState): FieldChange[] {
  const out: FieldChange[] = [];
  const stored = current.storedRefs ?? { headers: {} };
  const describe = (ref: string | undefined, storedRef: string | undefined, present: boolean) =>
    !present ? undefined : storedRef ? envRef(storedRef) : ref ? `${ref} (value set in the admin UI)` : undefined;
  const compare = (
    field: string,
    currentRef: string | undefined,
    storedRef: string | undefined,
    currentValue: string | undefined,
    desiredRef: string | undefined,
    desiredValue: string | undefined,
  ) => {
    const from = describe(currentRef, storedRef, currentValue !== undefined || currentRef !== undefined);
    const sameRef = storedRef !== undefined ? envRef(storedRef) === desiredRef : desiredRef === undefined && currentRef === undefined;
    if (sameRef && currentValue === desiredValue) return;
    if (desiredRef === undefined && currentRef === undefined) return;
    out.push({
      field,
      ...(from !== undefined ? { from } : {}),
      ...(desiredRef !== undefined ? { to: sameRef ? `${desiredRef} (new value)` : desiredRef } : {}),
    });
  };
  compare('apiKey', current.decl.apiKey, stored.apiKey, current.secrets.apiKey, desired.decl.apiKey, desired.secrets.apiKey);
  const headerNames = new Set([...Object.keys(current.decl.headers ?? {}), ...Object.keys(desired.decl.headers ?? {})]);
  for (const name of [...headerNames].sort()) {
    compare(
      `headers.${name}`,
      current.decl.headers?.[name],
      stored.headers[name],
      current.secrets.headers[name],
      desired.decl.headers?.[name],
      desired.secrets.headers[name],
    );
  }
  return out;
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
  for (const section of ['providers', 'models', 'virtualModels', 'virtualKeys', 'healthTargets'] as const) {
    if (!sections.has(section)) continue;
    const kind = SECTION_KIND[section];
    const have = current[section] as Map<string, unknown>;
    const want = desired[section] as Map<string, unknown>;
    const view = (value: unknown) => (section === 'providers' ? (value as ProviderState).decl : value) as Record<string, unknown>;
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
