import { GatewayError } from '../core/error.js';

/** A `block` guardrail fired: 400 naming it (the client gets it in its own format, no upstream call on requests). */
export function blocked(name: string, stage: 'request' | 'response', what: string): GatewayError {
  return new GatewayError({
    status: 400,
    kind: 'invalid_request',
    code: 'guardrail_blocked',
    message: `Blocked by guardrail "${name}": the ${stage === 'request' ? 'request' : 'answer'} contains ${what}`,
  });
}

/** A guardrail whose stored config no longer compiles refuses what it should check, rather than let it through. */
export function misconfigured(name: string, reason: string): GatewayError {
  return new GatewayError({ status: 500, kind: 'internal', code: 'guardrail_misconfigured', message: `Guardrail "${name}" cannot run: ${reason}` });
}
