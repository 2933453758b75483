import type { ProvidersQuery } from '$lib/graphql/generated/graphql';

export type ProviderRow = ProvidersQuery['providers'][number];
export type ProviderPreset = ProvidersQuery['providerPresets'][number];
