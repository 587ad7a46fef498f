/**
 * Shared by the specs: JupyterLab's own dialog (`confirmAction` runs the real `showDialog`, which jsdom renders
 * into `document.body`), read and answered as a user would.
 */
import { act } from '@testing-library/react';

import { flushPromises } from './async';

/**
 * The open dialog, or null.
 */
export function openDialog(): HTMLElement | null {
  return document.querySelector<HTMLElement>('.jp-Dialog');
}

/**
 * The title and body of the open dialog (fails when none is open).
 */
export function dialogText(): { title: string; body: string } {
  const dialog = openDialog();
  if (dialog === null) {
    throw new Error('No dialog is open');
  }
  return {
    title: dialog.querySelector('.jp-Dialog-header')?.textContent ?? '',
    body: dialog.querySelector('.jp-Dialog-body')?.textContent ?? ''
  };
}

/**
 * The labels of the open dialog's buttons, in order.
 */
export function dialogButtons(): string[] {
  return [...(openDialog()?.querySelectorAll('.jp-Dialog-button') ?? [])].map(
    button => button.textContent ?? ''
  );
}

/**
 * Wait (inside React's `act`) until a dialog is open; fails after a few turns of the event loop.
 */
export async function waitForDialog(): Promise<HTMLElement> {
  for (let turn = 0; turn < 20; turn++) {
    const dialog = openDialog();
    if (dialog !== null) {
      return dialog;
    }
    await act(async () => {
      await flushPromises();
    });
  }
  throw new Error('No dialog opened');
}

/**
 * Click the open dialog's button labelled `label` (e.g. "Cancel" or "Remove alias") and let what follows settle.
 */
export async function answerDialog(label: string): Promise<void> {
  const dialog = await waitForDialog();
  const button = [
    ...dialog.querySelectorAll<HTMLElement>('.jp-Dialog-button')
  ].find(candidate => candidate.textContent === label);
  if (!button) {
    throw new Error(
      `No dialog button ${label}; there are: ${dialogButtons().join(', ')}`
    );
  }
  await act(async () => {
    button.click();
    await flushPromises();
  });
}
