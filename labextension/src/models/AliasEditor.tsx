import React, { useEffect, useId, useRef, useState } from 'react';

import type { IOpenTestsArgs } from '../actions';
import { setAlias } from '../api';
import { confirmAction } from '../components/confirm';
import { errorMessage } from '../format';
import { gateRefusal, IGateRefusal } from '../tests/helpers';
import {
  findServingDeployments,
  IOverrideMove,
  moveAliasConfirmation,
  overrideConfirmation
} from './aliasSafety';

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
  /**
   * The model's aliases (alias -> version): setting one that names another
   * version moves it, which is asked first.
   */
  aliases?: { [alias: string]: string };
  /** Called once the alias is set (with its name). */
  onDone: (alias: string) => void;
  /** Called when the user cancels. */
  onCancel: () => void;
  /** Open the version's test report (offered when the gate refuses). */
  onOpenTests?: (args: IOpenTestsArgs) => void;
}

/**
 * An inline form setting an alias on a version (`PUT .../aliases/{alias}`),
 * which also moves the alias when it points at another version: a move is
 * confirmed first, naming the deployments that serve the alias. The alias
 * rules are the server's: its error message is shown as is.
 *
 * When the promotion gate refuses the alias (`GATE_REFUSED`: the version's
 * tests failed or never ran), the failed checks are listed and the alias can
 * be set anyway with a reason, which the server records, after a
 * confirmation.
 */
export function AliasEditor(props: IAliasEditorProps): JSX.Element {
  const { name, version, aliases, onDone, onCancel, onOpenTests } = props;
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

  /**
   * The version `value` names now when setting it here moves it (it names
   * another version), with the deployments serving it there; null otherwise.
   */
  const lookUpMove = async (value: string): Promise<IOverrideMove | null> => {
    const from = aliases?.[value];
    if (from === undefined || String(from) === String(version)) {
      return null;
    }
    return {
      from: String(from),
      lookup: await findServingDeployments(name, value, String(from))
    };
  };

  /** Set `value`, asking first when that moves it from another version. */
  const submitAlias = async (value: string): Promise<void> => {
    setPending(true);
    setError(null);
    const move = await lookUpMove(value);
    const confirmed =
      move === null ||
      (await confirmAction(
        moveAliasConfirmation(name, value, move.from, version, move.lookup)
      ));
    if (!mounted.current) {
      return;
    }
    if (!confirmed) {
      setPending(false);
      input.current?.focus();
      return;
    }
    await save(value);
  };

  const submit = (event: React.FormEvent): void => {
    event.preventDefault();
    const value = alias.trim();
    if (!value || pending) {
      return;
    }
    void submitAlias(value);
  };

  /** Set the refused alias anyway, with the reason, once confirmed. */
  const overrideGate = async (
    refused: IGateRefusal,
    value: string,
    text: string
  ): Promise<void> => {
    setPending(true);
    const move = await lookUpMove(value);
    const confirmed = await confirmAction(
      overrideConfirmation(name, value, version, refused.failedChecks, move)
    );
    if (!mounted.current) {
      return;
    }
    if (!confirmed) {
      setPending(false);
      return;
    }
    await save(value, text);
  };

  const override = (): void => {
    const text = reason.trim();
    if (!text || pending || refusal === null) {
      return;
    }
    void overrideGate(refusal, refusedAlias, text);
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
