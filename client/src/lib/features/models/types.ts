import type { ModelsQuery } from '$lib/graphql/generated/graphql';

export type ModelRow = ModelsQuery['models']['nodes'][number];
export type ProviderOption = ModelsQuery['providers'][number];
