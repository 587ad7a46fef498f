import { useCallback, useEffect, useRef, useState } from 'react';

import { copyText } from '../clipboard';

/**
 * How long the "Copied" state of a copy button lasts.
 */
export const COPIED_FEEDBACK_MS = 2000;

/**
 * The state of a copy button.
 */
export type CopyState = 'idle' | 'copying' | 'copied';

/**
 * The state of a copy button made with `useCopyText`.
 */
export interface ICopyText {
  copyState: CopyState;
  setCopyState: (state: CopyState) => void;
  /**
   * Copy `text` to the clipboard (`copyText`), then show the "copied" state
   * for `COPIED_FEEDBACK_MS` (if the component is still mounted).
   *
   * @throws the error of `copyText`; the state is then left as it was.
   */
  copy: (text: string | Promise<string>) => Promise<void>;
}

/**
 * A copy button's state, with the timed "copied" feedback after a copy.
 */
export function useCopyText(): ICopyText {
  const [copyState, setCopyState] = useState<CopyState>('idle');
  const mounted = useRef(true);
  const copiedTimer = useRef<number | undefined>(undefined);

  useEffect(
    () => () => {
      mounted.current = false;
      window.clearTimeout(copiedTimer.current);
    },
    []
  );

  const copy = useCallback(
    async (text: string | Promise<string>): Promise<void> => {
      await copyText(text);
      if (!mounted.current) {
        return;
      }
      setCopyState('copied');
      window.clearTimeout(copiedTimer.current);
      copiedTimer.current = window.setTimeout(() => {
        if (mounted.current) {
          setCopyState('idle');
        }
      }, COPIED_FEEDBACK_MS);
    },
    []
  );

  return { copyState, setCopyState, copy };
}
