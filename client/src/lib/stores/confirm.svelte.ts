export interface ConfirmOptions {
  title: string;
  message: string;
  confirmLabel?: string;
  /** Red confirm button for destructive actions. */
  danger?: boolean;
}

interface PendingConfirm extends ConfirmOptions {
  resolve: (ok: boolean) => void;
}

export const confirmState = $state<{ pending: PendingConfirm | null }>({ pending: null });

/** Asks the user through the single ConfirmDialog mounted in the root layout. */
export function confirm(options: ConfirmOptions): Promise<boolean> {
  confirmState.pending?.resolve(false);
  return new Promise((resolve) => {
    confirmState.pending = { ...options, resolve };
  });
}

export function settleConfirm(ok: boolean) {
  const pending = confirmState.pending;
  confirmState.pending = null;
  pending?.resolve(ok);
}
