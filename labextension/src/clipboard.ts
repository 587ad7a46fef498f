/**
 * Copy text to the system clipboard.
 *
 * `text` may be a promise (e.g. text still being fetched): where the browser
 * supports it, the clipboard write then starts at once, within the user's
 * click, and completes when the text arrives. Otherwise the text is awaited
 * and written with `navigator.clipboard.writeText`, falling back on
 * `document.execCommand('copy')` when the Clipboard API is missing or
 * refused (e.g. no permission, insecure context).
 *
 * @throws the rejection of `text`, if it rejects, or an error when no way
 *   of copying works.
 */
export async function copyText(text: string | Promise<string>): Promise<void> {
  const clipboard =
    typeof navigator !== 'undefined' ? navigator.clipboard : undefined;

  if (
    typeof text !== 'string' &&
    clipboard &&
    typeof clipboard.write === 'function' &&
    typeof ClipboardItem !== 'undefined'
  ) {
    try {
      const blob = text.then(
        value => new Blob([value], { type: 'text/plain' })
      );
      await clipboard.write([new ClipboardItem({ 'text/plain': blob })]);
      return;
    } catch {
      // Fall back below (awaiting `text` rethrows its own error, if any).
    }
  }

  const value = await text;
  if (clipboard && typeof clipboard.writeText === 'function') {
    try {
      await clipboard.writeText(value);
      return;
    } catch {
      // Fall back below.
    }
  }
  if (!copyWithExecCommand(value)) {
    throw new Error('Could not copy to the clipboard.');
  }
}

/**
 * Copy text with the legacy `execCommand('copy')` on a temporary, off-screen
 * text area; returns whether the browser reported success.
 */
export function copyWithExecCommand(text: string): boolean {
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.top = '-1000px';
  area.style.opacity = '0';
  const active = document.activeElement;
  document.body.appendChild(area);
  area.select();
  let copied = false;
  try {
    copied =
      typeof document.execCommand === 'function' &&
      document.execCommand('copy');
  } catch {
    copied = false;
  } finally {
    area.remove();
    if (active instanceof HTMLElement) {
      active.focus();
    }
  }
  return copied;
}
