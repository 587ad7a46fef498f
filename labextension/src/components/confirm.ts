import { Dialog, showDialog } from '@jupyterlab/apputils';

/**
 * What a destructive action asks before it runs.
 */
export interface IConfirmation {
  /** The question, e.g. "Delete deployment churn-prod?". */
  title: string;
  /** What will happen, naming what depends on it (e.g. the deployment serving an alias). */
  body: string;
  /** The label of the button that goes ahead, e.g. "Delete". */
  accept: string;
}

/**
 * Ask with JupyterLab's own dialog; true only when the user chose the (warning-styled) accept button. Escape, Cancel
 * and closing the dialog all answer false, so nothing destructive runs without an explicit yes.
 */
export async function confirmAction(
  confirmation: IConfirmation
): Promise<boolean> {
  const result = await showDialog({
    title: confirmation.title,
    body: confirmation.body,
    buttons: [
      Dialog.cancelButton({ label: 'Cancel' }),
      Dialog.warnButton({ label: confirmation.accept })
    ],
    defaultButton: 0
  });
  return result.button.accept;
}
