import type { AnyVariables, TypedDocumentNode } from '@urql/core';
import { session } from '$lib/stores/session.svelte';

/** Follows a typed subscription, calling `onData` with each event's data; returns the function that ends it. */
export function subscribe<Data, Vars extends AnyVariables>(document: TypedDocumentNode<Data, Vars>, variables: Vars, onData: (data: Data) => void): () => void {
  const subscription = session.client.subscription(document, variables).subscribe((result) => {
    if (result.data) onData(result.data);
  });
  return () => subscription.unsubscribe();
}

export interface Debounced {
  (): void;
  /** Drops the pending call, if any. */
  cancel(this: void): void;
}

/** Calls `run` once, `ms` after the last of a burst of calls: bursts of events cost one refetch. */
export function debounce(run: () => void, ms: number): Debounced {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const call = () => {
    clearTimeout(timer);
    timer = setTimeout(run, ms);
  };
  return Object.assign(call, { cancel: () => clearTimeout(timer) });
}
