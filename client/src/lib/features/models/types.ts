import type { ModelsQuery } from '$lib/graphql/generated/graphql';

export type ModelRow = ModelsQuery['models'][number];
export type ProviderOption = ModelsQuery['providers'][number];
