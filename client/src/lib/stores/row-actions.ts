import { tr } from '$lib/i18n';
import { messageOf } from '$lib/graphql/errors';
import { confirm, type ConfirmOptions } from './confirm.svelte';
import { notify } from './toasts.svelte';

/**
 * The flow every row action on a list page shares: run the mutation, toast the
 * outcome, refresh the list. `ask` puts a confirmation in front (destructive actions).
 */
export async function rowAction(options: {
  ask?: ConfirmOptions;
  run: () => Promise<unknown>;
  done: string;
  refetch: () => Promise<unknown> | undefined;
}): Promise<void> {
  if (options.ask && !(await confirm({ confirmLabel: tr('rowActions.delete'), danger: true, ...options.ask }))) return;
  try {
    await options.run();
    notify.success(options.done);
  } catch (e) {
    notify.error(messageOf(e));
  }
  await options.refetch();
}

/** What a list page does when its form has saved: toast the outcome, close the form, refresh the list. */
export async function formSaved(options: { done: string; close: () => void; refetch: () => Promise<unknown> | undefined }): Promise<void> {
  notify.success(options.done);
  options.close();
  await options.refetch();
}
