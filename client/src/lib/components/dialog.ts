/**
 * Shared behaviour of Modal and Drawer: both sit on a native <dialog> so the
 * browser gives them focus trapping, Escape to close and the top layer.
 */
export function syncDialog(dialog: HTMLDialogElement, open: boolean) {
  if (open && !dialog.open) dialog.showModal();
  if (!open && dialog.open) dialog.close();
}

/** Closes when the click landed on the backdrop (the dialog box itself, outside its panel). */
export function isBackdropClick(event: MouseEvent, dialog: HTMLDialogElement): boolean {
  return event.target === dialog;
}
