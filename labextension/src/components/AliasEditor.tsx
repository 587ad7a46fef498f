import React, { useEffect, useId, useRef, useState } from 'react';

import { setAlias } from '../api';
import { errorMessage } from '../format';
import { gateRefusal, IGateRefusal } from '../tests/helpers';
import { IOpenTestsArgs } from './VersionItem';

/**
 * Longest override reason the server accepts.
 */
export const OVERRIDE_REASON_MAX_LENGTH = 1000;

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
  /** Open the version's test report (offered when the gate refuses). */
  onOpenTests?: (args: IOpenTestsArgs) => void;
}

/**
 * An inline form setting an alias on a version (`PUT .../aliases/{alias}`),
 * which also moves the alias when it points at another version. The alias
 * rules are the server's: its error message is shown as is.
 *
 * When the promotion gate refuses the alias (`GATE_REFUSED`: the version's
 * tests failed or never ran), the failed checks are listed and the alias can
 * be set anyway with a reason, which the server records.
 */
export function AliasEditor(props: IAliasEditorProps): JSX.Element {
  const { name, version, onDone, onCancel, onOpenTests } = props;
  const [alias, setAliasText] = useState('');
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // The gate's refusal of `refusedAlias`, while the alias text is unchanged.
  const [refusal, setRefusal] = useState<IGateRefusal | null>(null);
  const [refusedAlias, setRefusedAlias] = useState('');
  const [reason, setReason] = useState('');
  const input = useRef<HTMLInputElement>(null);
  const mounted = useRef(true);

  useEffect(() => {
    input.current?.focus();
    return () => {
      mounted.current = false;
    };
  }, []);

  /**
   * Set `value` (with an override reason, if given); on failure show the
   * error and, for a gate refusal, the override form.
   */
  const save = async (
    value: string,
    overrideReason?: string
  ): Promise<void> => {
    setPending(true);
    setError(null);
    try {
      await (overrideReason === undefined
        ? setAlias(name, value, version)
        : setAlias(name, value, version, overrideReason));
      if (mounted.current) {
        setPending(false);
        onDone(value);
      }
    } catch (reason) {
      if (!mounted.current) {
        return;
      }
      setPending(false);
      setError(errorMessage(reason));
      const refused = gateRefusal(reason);
      if (refused !== null) {
        setRefusal(refused);
        setRefusedAlias(value);
      } else if (overrideReason === undefined) {
        setRefusal(null);
      }
      if (overrideReason === undefined) {
        input.current?.focus();
      }
    }
  };

  const submit = (event: React.FormEvent): void => {
    event.preventDefault();
    const value = alias.trim();
    if (!value || pending) {
      return;
    }
    void save(value);
  };

  const override = (): void => {
    const text = reason.trim();
    if (!text || pending || refusal === null) {
      return;
    }
    void save(refusedAlias, text);
  };

  const errorId = useId();
  const checksId = useId();
  return (
    <form
      className="maestro-alias-form"
      aria-label={`Set an alias on version ${version}`}
      onSubmit={submit}
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
            setRefusal(null);
            setReason('');
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
      {refusal !== null && (
        <div className="maestro-gate" data-alias={refusedAlias}>
          {refusal.failedChecks.length > 0 && (
            <>
              <span id={checksId} className="maestro-gate-label">
                Failed checks:
              </span>
              <ul
                className="maestro-gate-failed-checks"
                aria-labelledby={checksId}
              >
                {refusal.failedChecks.map((check, index) => (
                  <li key={`${index}:${check}`} data-check={check}>
                    {check}
                  </li>
                ))}
              </ul>
            </>
          )}
          {onOpenTests && (
            <button
              type="button"
              className="maestro-action maestro-gate-open-tests"
              title={`Open the test report of version ${version}`}
              onClick={() => onOpenTests({ name, version })}
            >
              Open test report
            </button>
          )}
          <textarea
            className="maestro-gate-reason"
            aria-label="Reason for the override"
            placeholder={`Why must ${refusedAlias} point at v${version} anyway? (recorded)`}
            rows={2}
            maxLength={OVERRIDE_REASON_MAX_LENGTH}
            value={reason}
            onChange={event => setReason(event.target.value)}
            disabled={pending}
          />
          <button
            type="button"
            className="maestro-button maestro-gate-override"
            title="Set the alias despite the tests; the reason is recorded"
            disabled={pending || !reason.trim()}
            onClick={override}
          >
            Override and set alias
          </button>
        </div>
      )}
    </form>
  );
}
