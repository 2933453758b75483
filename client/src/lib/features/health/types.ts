import type { HealthTargetsQuery } from '$lib/graphql/generated/graphql';
import type { HealthState } from './public-api';

export type HealthTargetRow = HealthTargetsQuery['healthTargets'][number];

/** GraphQL enums (HEALTHY, …) → the lowercase states the shared components use. */
export const stateOf = (row: { state: string }) => row.state.toLowerCase() as HealthState;
