import type { AlertChannelKind, AlertRuleKind } from '$lib/graphql/generated/graphql';
import { tr } from '$lib/i18n';

export const CHANNEL_KINDS: AlertChannelKind[] = ['WEBHOOK', 'SLACK', 'FEISHU', 'DINGTALK', 'WECOM', 'SMTP'];
export const RULE_KINDS: AlertRuleKind[] = ['TARGET_DOWN', 'ERROR_RATE', 'LATENCY_P95', 'BUDGET', 'KEY_EXPIRY', 'DEPENDENCY_LOST'];

/** Channels whose receiver checks a signature made with a secret. */
export const SIGNED_KINDS = new Set<AlertChannelKind>(['WEBHOOK', 'FEISHU', 'DINGTALK']);

export function channelKindLabel(kind: AlertChannelKind): string {
  switch (kind) {
    case 'WEBHOOK':
      return tr('alertsPage.kindWebhook');
    case 'SLACK':
      return tr('alertsPage.kindSlack');
    case 'FEISHU':
      return tr('alertsPage.kindFeishu');
    case 'DINGTALK':
      return tr('alertsPage.kindDingtalk');
    case 'WECOM':
      return tr('alertsPage.kindWecom');
    case 'SMTP':
      return tr('alertsPage.kindSmtp');
    default: {
      const _exhaustive: never = kind;
      return String(_exhaustive);
    }
  }
}

export function ruleKindLabel(kind: AlertRuleKind): string {
  switch (kind) {
    case 'TARGET_DOWN':
      return tr('alertsPage.ruleTargetDown');
    case 'ERROR_RATE':
      return tr('alertsPage.ruleErrorRate');
    case 'LATENCY_P95':
      return tr('alertsPage.ruleLatency');
    case 'BUDGET':
      return tr('alertsPage.ruleBudget');
    case 'KEY_EXPIRY':
      return tr('alertsPage.ruleKeyExpiry');
    case 'DEPENDENCY_LOST':
      return tr('alertsPage.ruleDependencyLost');
    default: {
      const _exhaustive: never = kind;
      return String(_exhaustive);
    }
  }
}

/** A starting point for each kind's parameters (docs/ALERTS.md). */
export const DEFAULT_PARAMS: Record<AlertRuleKind, object> = {
  TARGET_DOWN: {},
  ERROR_RATE: { scope: 'model', threshold: 0.2, windowSeconds: 300, minRequests: 10 },
  LATENCY_P95: { scope: 'model', thresholdMs: 10000, windowSeconds: 300, minRequests: 10 },
  BUDGET: { thresholds: [50, 80, 100] },
  KEY_EXPIRY: { days: 7 },
  DEPENDENCY_LOST: { dependencies: ['database', 'redis'] },
};
