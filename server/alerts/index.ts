export { AlertService, type AlertLock, type AlertServiceDeps } from './service.js';
export { sendTestAlert } from './test-alert.js';
export { mailOptions } from './smtp.js';
export { parseRuleParams, isRuleKind } from './rules.js';
export { isChannelKind } from './repository.js';
export { CHANNEL_KINDS, RULE_KINDS } from './types.js';
export { channelOptionsProblem, channelUrlProblem } from './channel-check.js';
