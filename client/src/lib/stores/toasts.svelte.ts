export type ToastKind = 'success' | 'error' | 'info' | 'warning';

export interface Toast {
  id: number;
  kind: ToastKind;
  message: string;
}

let nextId = 1;
export const toasts = $state<Toast[]>([]);

export function dismissToast(id: number) {
  const index = toasts.findIndex((t) => t.id === id);
  if (index >= 0) toasts.splice(index, 1);
}

function show(kind: ToastKind, message: string, ms: number) {
  const id = nextId++;
  toasts.push({ id, kind, message });
  // Errors stay a little longer: they usually need reading.
  setTimeout(() => dismissToast(id), ms);
}

export const notify = {
  success: (message: string) => show('success', message, 3500),
  info: (message: string) => show('info', message, 3500),
  warning: (message: string) => show('warning', message, 6000),
  error: (message: string) => show('error', message, 7000),
};
