import React, { useEffect, useId, useRef, useState } from 'react';

import { setAlias } from '../api';
import { errorMessage } from '../format';

/**
 * Properties of `AliasEditor`.
 */
export interface IAliasEditorProps {
  /** Model name. */
  name: string;
  /** The version the alias is set to. */
  version: string;
  /** Called once the alias is set (with its name). */
  onDone: (alias: string) => void;
  /** Called when the user cancels. */
  onCancel: () => void;
}

/**
 * An inline form setting an alias on a version (`PUT .../aliases/{alias}`),
 * which also moves the alias when it points at another version. The alias
 * rules are the server's: its error message is shown as is.
 */
export function AliasEditor(props: IAliasEditorProps): JSX.Element {
  const { name, version, onDone, onCancel } = props;
  const [alias, setAliasText] = useState('');
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const mounted = useRef(true);

  useEffect(() => {
    input.current?.focus();
    return () => {
      mounted.current = false;
    };
  }, []);

  const submit = async (event: React.FormEvent): Promise<void> => {
    event.preventDefault();
    const value = alias.trim();
    if (!value || pending) {
      return;
    }
    setPending(true);
    setError(null);
    try {
      await setAlias(name, value, version);
      if (mounted.current) {
        setPending(false);
        onDone(value);
      }
    } catch (reason) {
      if (mounted.current) {
        setPending(false);
        setError(errorMessage(reason));
        input.current?.focus();
      }
    }
  };

  const errorId = useId();
  return (
    <form
      className="maestro-alias-form"
      aria-label={`Set an alias on version ${version}`}
      onSubmit={event => void submit(event)}
      onKeyDown={event => {
        if (event.key === 'Escape') {
          event.preventDefault();
          event.stopPropagation();
          onCancel();
        }
      }}
    >
      <div className="maestro-alias-form-row">
        <input
          ref={input}
          type="text"
          className="maestro-alias-input"
          aria-label="Alias name"
          aria-invalid={error !== null}
          aria-describedby={error !== null ? errorId : undefined}
          placeholder="alias, e.g. champion"
          value={alias}
          onChange={event => {
            setAliasText(event.target.value);
            setError(null);
          }}
          disabled={pending}
          spellCheck={false}
          autoComplete="off"
        />
        <button
          type="submit"
          className="maestro-button maestro-button-accept maestro-alias-submit"
          disabled={pending || !alias.trim()}
        >
          {pending ? 'Saving…' : 'Save'}
        </button>
        <button
          type="button"
          className="maestro-button maestro-alias-cancel"
          onClick={onCancel}
          disabled={pending}
        >
          Cancel
        </button>
      </div>
      {error !== null && (
        <div id={errorId} className="maestro-alias-error" role="alert">
          {error}
        </div>
      )}
    </form>
  );
}
