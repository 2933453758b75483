/** Alert vocabulary shared by rules, channels, the service and the API. */

export const CHANNEL_KINDS = ['webhook', 'slack', 'feishu', 'dingtalk', 'wecom', 'smtp'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

export const RULE_KINDS = ['target_down', 'error_rate', 'latency_p95', 'budget', 'key_expiry', 'dependency_lost'] as const;
export type RuleKind = (typeof RULE_KINDS)[number];

/** `resolved`: the condition an earlier alert reported is over (a target recovered). */
export type Severity = 'critical' | 'warning' | 'info' | 'resolved';

/** One alert, before it is sent. */
export interface Alert {
  kind: RuleKind | 'test';
  severity: Severity;
  title: string;
  message: string;
  /** What it is about; the same key within a rule's cool-down is not sent twice. */
  dedupKey: string;
  /** Facts for machine readers (webhook payload). */
  labels: Record<string, string | number>;
  at: Date;
}

/** A channel as the sender needs it: URL and secret opened. */
export interface ChannelTarget {
  id: string;
  name: string;
  kind: ChannelKind;
  /** An http(s) webhook URL, or for smtp the server as `smtp(s)://user:password@host:port`. */
  url: string;
  secret?: string;
  /** Kind-specific options (smtp: `from`, `to`). */
  options?: Record<string, unknown>;
}

// A type, not an interface: the list is stored as a JSON column as it is.
export type Delivery = {
  channelId: string;
  channel: string;
  kind: ChannelKind;
  ok: boolean;
  error?: string;
};
