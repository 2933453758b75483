import { untrack } from 'svelte';
import type { AnyVariables, TypedDocumentNode } from '@urql/core';
import { session } from '$lib/stores/session.svelte';
import { toApiError, type ApiError } from './errors';
import { configChanges } from './live.svelte';

export interface QueryState<Data> {
  readonly data: Data | undefined;
  readonly error: ApiError | undefined;
  /** True while a request is in flight (also during refetches, when data is still shown). */
  readonly fetching: boolean;
  readonly refetch: () => Promise<void>;
}

interface QueryOptions {
  /** Re-run when the gateway announces a config change (providers, models, keys). */
  live?: boolean;
}

/**
 * Runs a typed query now and whenever its variables change. Call it while a
 * component initialises; the request is tied to the component's lifetime.
 */
export function createQuery<Data, Vars extends AnyVariables>(
  document: TypedDocumentNode<Data, Vars>,
  variables: () => Vars = () => ({}) as Vars,
  options: QueryOptions = {},
): QueryState<Data> {
  let data = $state.raw<Data | undefined>();
  let error = $state.raw<ApiError | undefined>();
  let fetching = $state(true);
  let latest = 0;

  async function run(vars: Vars) {
    const request = ++latest;
    fetching = true;
    const result = await session.client.query(document, vars).toPromise();
    if (request !== latest) return; // an older answer arriving late must not win
    fetching = false;
    if (result.error) {
      error = toApiError(result.error);
    } else {
      error = undefined;
      data = result.data;
    }
  }

  $effect(() => {
    const vars = variables();
    if (options.live) void configChanges.version;
    untrack(() => void run(vars));
  });

  return {
    get data() {
      return data;
    },
    get error() {
      return error;
    },
    get fetching() {
      return fetching;
    },
    refetch: () => run(untrack(variables)),
  };
}

/** Runs a typed mutation; resolves with its data or throws an ApiError with the server's message. */
export async function mutate<Data, Vars extends AnyVariables>(document: TypedDocumentNode<Data, Vars>, variables: Vars): Promise<Data> {
  const result = await session.client.mutation(document, variables).toPromise();
  if (result.error) throw toApiError(result.error);
  return result.data as Data;
}
