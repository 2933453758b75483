import { compileRule, RuleConfigError, type CompiledRule } from '../prompts/index.js';
import { parseRuleConfig } from '../prompts/validate.js';
import type { ConfigActor } from './change.js';
import type { EntityDeps } from './deps.js';
import { ConfigInputError, ConfigNotFoundError } from './errors.js';
import { deleteOne, requireRow } from './delete-one.js';

export type RuleConfig = Record<string, unknown>;

export const ruleConfigOf = (rule: { config: unknown }): RuleConfig => (rule.config && typeof rule.config === 'object' ? (rule.config as RuleConfig) : {});

/** Validates and compiles a rule (regex included); a bad one is refused naming the field under `prefix`. */
export function checkedRule(kind: string, config: RuleConfig, prefix: string, id?: string): { stored: RuleConfig; compiled: CompiledRule } {
  try {
    const parsed = parseRuleConfig(kind, config);
    return { stored: parsed.config as RuleConfig, compiled: compileRule({ id: id ?? 'draft', kind, config: parsed.config, enabled: true }) };
  } catch (error) {
    if (error instanceof RuleConfigError) throw new ConfigInputError(`${prefix}${error.message}`, `${prefix}${error.field}`);
    throw error;
  }
}

export interface RuleDraft {
  kind: string;
  config: RuleConfig;
  enabled?: boolean;
}

/** Prompt rules of a virtual model, kept in `position` order. `fieldPrefix` names where the caller's rule fields sit (e.g. `input.`). */
export function promptRulesConfig(deps: EntityDeps) {
  const { db } = deps;

  async function requireVirtualModel(id: string) {
    if (!(await db.virtualModel.findUnique({ where: { id }, select: { id: true } }))) throw new ConfigNotFoundError('Virtual model');
  }

  return {
    /** Adds a rule at the end of the virtual model's list. */
    async create(actor: ConfigActor, virtualModelId: string, rule: RuleDraft, fieldPrefix = '') {
      await requireVirtualModel(virtualModelId);
      const { stored } = checkedRule(rule.kind, rule.config, fieldPrefix);
      const last = await db.promptRule.findFirst({ where: { virtualModelId }, orderBy: { position: 'desc' }, select: { position: true } });
      const created = await db.promptRule.create({
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- tsc needs it: RuleConfig is not Prisma's InputJsonValue
        data: { virtualModelId, kind: rule.kind, config: stored as object, enabled: rule.enabled !== false, position: (last?.position ?? -1) + 1 },
      });
      await deps.changed([{ actor, entity: 'promptRule', action: 'create', id: created.id }]);
      return created;
    },

    /** Without a new kind the given settings merge over the stored ones; with one they replace them. */
    async update(actor: ConfigActor, id: string, change: { kind?: string; config: RuleConfig; enabled?: boolean }, fieldPrefix = '') {
      const existing = await requireRow(db.promptRule, id, 'Prompt rule');
      const kind = change.kind ?? existing.kind;
      const config = kind === existing.kind ? { ...ruleConfigOf(existing), ...change.config } : change.config;
      const { stored } = checkedRule(kind, config, fieldPrefix);
      const updated = await db.promptRule.update({
        where: { id },
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- tsc needs it: RuleConfig is not Prisma's InputJsonValue
        data: { kind, config: stored as object, ...(typeof change.enabled === 'boolean' ? { enabled: change.enabled } : {}) },
      });
      await deps.changed([{ actor, entity: 'promptRule', action: 'update', id }]);
      return updated;
    },

    async delete(actor: ConfigActor, id: string): Promise<void> {
      await deleteOne(deps, actor, 'promptRule', 'Prompt rule', db.promptRule, id);
    },

    /** Sets the order: `ruleIds` must list each of the virtual model's rules exactly once. */
    async reorder(actor: ConfigActor, virtualModelId: string, ruleIds: readonly string[]) {
      await requireVirtualModel(virtualModelId);
      const current = await db.promptRule.findMany({ where: { virtualModelId }, select: { id: true } });
      const known = new Set(current.map((r) => r.id));
      if (ruleIds.length !== known.size || new Set(ruleIds).size !== ruleIds.length || !ruleIds.every((i) => known.has(i))) {
        throw new ConfigInputError("ruleIds: must list each of the virtual model's rules exactly once", 'ruleIds');
      }
      await db.$transaction(ruleIds.map((ruleId, position) => db.promptRule.update({ where: { id: ruleId }, data: { position } })));
      await deps.changed([{ actor, entity: 'promptRule', action: 'reorder', id: virtualModelId }]);
      return db.promptRule.findMany({ where: { virtualModelId }, orderBy: { position: 'asc' } });
    },
  };
}
