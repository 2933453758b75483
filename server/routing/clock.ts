/** Time source for routing state, replaceable in tests so cool-downs need no sleeping. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
