import React, { useEffect, useId, useRef, useState } from 'react';

import { getVersion, Prediction, predict } from '../api';
import { errorMessage } from '../format';
import {
  DEFAULT_PREDICT_PAYLOAD,
  examplePayload,
  formatPrediction,
  parsePayload
} from './helpers';

/**
 * Properties of `PredictBox`.
 */
export interface IPredictBoxProps {
  deploymentId: string;
  /** Model name and version served, for the example payload. */
  model: string;
  version: string;
  /** Whether sending is disabled (e.g. the deployment is not serving). */
  disabled?: boolean;
}

/**
 * "Try it": a JSON scoring payload (prefilled with one record of the
 * model signature's input columns, when known), a Predict button and the
 * predictions, latency and replica, or the error.
 */
export function PredictBox(props: IPredictBoxProps): JSX.Element {
  const { deploymentId, model, version } = props;
  const inputId = useId();
  const [text, setText] = useState(DEFAULT_PREDICT_PAYLOAD);
  const [pending, setPending] = useState(false);
  const [result, setResult] = useState<Prediction | null>(null);
  const [error, setError] = useState<string | null>(null);
  // Whether the user typed in the box (the example no longer replaces it).
  const edited = useRef(false);
  const controller = useRef<AbortController | null>(null);

  // Prefill with the model signature's input columns.
  useEffect(() => {
    if (!model || !version) {
      return;
    }
    const current = new AbortController();
    getVersion(model, version, current.signal).then(
      detail => {
        if (!current.signal.aborted && !edited.current) {
          setText(examplePayload(detail?.signature?.inputs));
        }
      },
      () => {
        // The example is optional: keep the default one.
      }
    );
    return () => current.abort();
  }, [model, version]);

  useEffect(
    () => () => {
      controller.current?.abort();
      controller.current = null;
    },
    []
  );

  const send = async (): Promise<void> => {
    const check = parsePayload(text);
    if (!check.ok) {
      setResult(null);
      setError(check.message);
      return;
    }
    controller.current?.abort();
    const current = new AbortController();
    controller.current = current;
    setPending(true);
    setError(null);
    try {
      const response = await predict(
        deploymentId,
        check.payload,
        current.signal
      );
      if (!current.signal.aborted) {
        setResult(response);
      }
    } catch (reason) {
      if (!current.signal.aborted) {
        setResult(null);
        setError(errorMessage(reason));
      }
    } finally {
      if (controller.current === current) {
        controller.current = null;
        setPending(false);
      }
    }
  };

  return (
    <div className="maestro-predict">
      <label className="maestro-predict-label" htmlFor={inputId}>
        Try it: scoring JSON
      </label>
      <textarea
        id={inputId}
        className="maestro-predict-input"
        rows={4}
        spellCheck={false}
        autoComplete="off"
        value={text}
        onChange={event => {
          edited.current = true;
          setText(event.target.value);
        }}
        onKeyDown={event => {
          if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
            event.preventDefault();
            void send();
          }
        }}
      />
      <div className="maestro-predict-actions">
        <button
          type="button"
          className="maestro-button maestro-predict-send"
          title={`Send the payload to ${deploymentId} (Ctrl+Enter)`}
          disabled={pending || props.disabled}
          onClick={() => void send()}
        >
          {pending ? 'Predicting…' : 'Predict'}
        </button>
      </div>
      {error !== null && (
        <div className="maestro-predict-error" role="alert">
          {error}
        </div>
      )}
      {result !== null && error === null && (
        <pre className="maestro-predict-output" aria-label="Predictions">
          {formatPrediction(result)}
        </pre>
      )}
    </div>
  );
}
