import { refreshIcon } from '@jupyterlab/ui-components';
import React, { useEffect, useId, useRef, useState } from 'react';

import {
  cardDownloadURL,
  getCard,
  getCardHTML,
  CardApproval,
  CardChecklistItem,
  CardCompleteness,
  CardSections,
  UpdateCard,
  ModelCard,
  updateCard
} from '../api';
import { DocumentFrame } from '../components/DocumentFrame';
import { ErrorMessage } from '../components/ErrorMessage';
import { Section } from '../components/Section';
import { errorMessage } from '../format';
import { useRequest } from '../hooks/useRequest';
import {
  canApprove,
  CARD_DOWNLOADS,
  CardFormValues,
  changedSections,
  completenessText,
  formValues,
  isSectionField,
  missingTitle,
  PROSE_SECTIONS,
  statusLabel,
  statusTitle
} from './helpers';

/**
 * Properties of `CardView`.
 */
export interface ICardViewProps {
  /** Registered model name. */
  name: string;
  /** Model version. */
  version: string;
}

/**
 * The model card of a version: a header (status, completeness, actions and
 * downloads), the rendered card in a sandboxed iframe (no scripts), the
 * completeness checklist, and a form editing the sections people write.
 */
export function CardView(props: ICardViewProps): JSX.Element {
  const { name, version } = props;
  // The card shown: the last loaded one, or the one a save returned.
  const [card, setCard] = useState<ModelCard | null>(null);
  // Changing it reloads the rendered HTML (after a save or an approval).
  const [htmlKey, setHtmlKey] = useState(0);
  const [editing, setEditing] = useState(false);
  const [focusField, setFocusField] = useState<string | null>(null);
  const [approving, setApproving] = useState(false);
  const [saving, setSaving] = useState(false);
  const [actionError, setActionError] = useState<string | null>(null);
  const mounted = useRef(true);
  useEffect(
    () => () => {
      mounted.current = false;
    },
    []
  );

  const cardRequest = useRequest(
    signal => getCard(name, version, signal),
    [name, version],
    setCard
  );
  const htmlRequest = useRequest(
    signal => getCardHTML(name, version, signal),
    [name, version, htmlKey]
  );

  const refresh = (): void => {
    setActionError(null);
    cardRequest.reload();
    htmlRequest.reload();
  };

  /** Send an update; on success show the returned card and re-render it. */
  const update = async (body: UpdateCard): Promise<boolean> => {
    setSaving(true);
    setActionError(null);
    try {
      const updated = await updateCard(name, version, body);
      if (mounted.current) {
        setCard(updated);
        setHtmlKey(key => key + 1);
      }
      return true;
    } catch (reason) {
      if (mounted.current) {
        setActionError(errorMessage(reason));
      }
      return false;
    } finally {
      if (mounted.current) {
        setSaving(false);
      }
    }
  };

  const save = async (values: CardFormValues): Promise<void> => {
    if (card === null) {
      return;
    }
    const sections = changedSections(card.sections, values);
    if (Object.keys(sections).length === 0) {
      setEditing(false);
      return;
    }
    if ((await update({ sections })) && mounted.current) {
      setEditing(false);
    }
  };

  const approve = async (comment: string): Promise<void> => {
    const body: UpdateCard = { status: 'approved' };
    if (comment.trim()) {
      body.comment = comment.trim();
    }
    if ((await update(body)) && mounted.current) {
      setApproving(false);
    }
  };

  const startEditing = (field: string | null): void => {
    setEditing(true);
    setApproving(false);
    setActionError(null);
    setFocusField(field);
  };

  const busy = cardRequest.loading || htmlRequest.loading || saving;
  const state =
    cardRequest.loading && card === null
      ? 'loading'
      : cardRequest.error !== null && card === null
        ? 'error'
        : card !== null
          ? 'done'
          : '';

  return (
    <div
      className="maestro-card-view"
      data-state={state}
      data-editing={editing ? 'true' : 'false'}
      aria-busy={busy}
    >
      <div className="maestro-card-header">
        <h2 className="maestro-card-title">
          {'Model card: '}
          <span className="maestro-card-model">{name}</span>
          {` v${version}`}
        </h2>
        {card !== null && <ApprovalChips approval={card.approval} />}
        {card !== null && (
          <CompletenessMeter completeness={card.completeness} />
        )}
        <div className="maestro-card-tools">
          <button
            type="button"
            className="maestro-button maestro-card-refresh"
            title="Reload the card"
            onClick={refresh}
            disabled={cardRequest.loading || saving}
          >
            <refreshIcon.react tag="span" elementSize="normal" />
            Refresh
          </button>
          <button
            type="button"
            className="maestro-button maestro-card-edit"
            title="Edit the sections people write"
            aria-pressed={editing}
            disabled={card === null || saving}
            onClick={() => {
              if (editing) {
                setEditing(false);
                setActionError(null);
              } else {
                startEditing(null);
              }
            }}
          >
            Edit
          </button>
          <button
            type="button"
            className="maestro-button maestro-button-accept maestro-card-approve"
            title={
              card !== null && !canApprove(card.approval)
                ? 'The card is approved'
                : 'Approve the card'
            }
            aria-expanded={approving}
            disabled={card === null || saving || !canApprove(card.approval)}
            onClick={() => {
              setApproving(!approving);
              setActionError(null);
            }}
          >
            Approve
          </button>
        </div>
        <div
          className="maestro-card-downloads"
          role="group"
          aria-label="Download the card"
        >
          <span className="maestro-card-downloads-label">Download:</span>
          {CARD_DOWNLOADS.map(({ format, label, title }) => (
            <a
              key={format}
              className="maestro-action maestro-card-download"
              data-format={format}
              href={cardDownloadURL(name, version, format)}
              download
              title={title}
            >
              {label}
            </a>
          ))}
        </div>
      </div>

      {approving && card !== null && (
        <ApproveForm
          saving={saving}
          onApprove={comment => void approve(comment)}
          onCancel={() => {
            setApproving(false);
            setActionError(null);
          }}
        />
      )}

      {actionError !== null && <ErrorMessage message={actionError} />}

      <Section
        label="the model card"
        loading={card === null}
        error={cardRequest.error}
        onRetry={refresh}
      >
        {card !== null && (
          <div className="maestro-card-body">
            <div className="maestro-card-main">
              {editing ? (
                <CardForm
                  sections={card.sections}
                  saving={saving}
                  focusField={focusField}
                  onSave={values => void save(values)}
                  onCancel={() => {
                    setEditing(false);
                    setActionError(null);
                  }}
                />
              ) : (
                <CardFrame
                  html={htmlRequest.value}
                  loading={htmlRequest.loading}
                  error={cardRequest.error === null ? htmlRequest.error : null}
                  onRetry={htmlRequest.reload}
                />
              )}
            </div>
            <Checklist
              items={card.completeness.checklist}
              onFill={field => startEditing(field)}
            />
          </div>
        )}
      </Section>
    </div>
  );
}

/**
 * The status chip (Draft / Approved) and, when the approval is stale, a
 * Stale chip with the reasons as tooltip.
 */
function ApprovalChips(props: { approval: CardApproval }): JSX.Element {
  const { approval } = props;
  const reasons = approval.stale_reasons ?? [];
  return (
    <div className="maestro-card-chips">
      <span
        className="maestro-card-status"
        data-status={approval.status}
        title={statusTitle(approval)}
      >
        {statusLabel(approval)}
      </span>
      {approval.stale && (
        <span
          className="maestro-card-stale"
          title={
            reasons.length > 0
              ? reasons.join('\n')
              : 'The model version changed since the approval'
          }
        >
          Stale
        </span>
      )}
    </div>
  );
}

/**
 * The completeness meter: score, counts and the missing required fields.
 */
function CompletenessMeter(props: {
  completeness: CardCompleteness;
}): JSX.Element {
  const { completeness } = props;
  const text = completenessText(completeness);
  const missing = completeness.missing ?? [];
  return (
    <div
      className="maestro-card-completeness"
      title={missingTitle(completeness)}
    >
      <meter
        className="maestro-card-meter"
        min={0}
        max={1}
        low={0.5}
        high={0.99}
        optimum={1}
        value={completeness.score}
        aria-label={text}
      />
      <span className="maestro-card-completeness-text">{text}</span>
      {missing.length > 0 && (
        <ul className="maestro-card-missing" aria-label="Missing fields">
          {missing.map(label => (
            <li key={label}>{label}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

/**
 * The rendered card: the server's HTML document in an iframe whose sandbox
 * forbids scripts, forms and popups (the view only reads it, to size the
 * frame to the card: the view scrolls, not the frame), in JupyterLab's
 * theme.
 */
function CardFrame(props: {
  html: string | null;
  loading: boolean;
  error: string | null;
  onRetry: () => void;
}): JSX.Element {
  return (
    <Section
      label="the rendered card"
      loading={props.html === null && props.loading}
      error={props.error}
      empty={props.html === null}
      emptyMessage="No rendered card."
      onRetry={props.onRetry}
    >
      <DocumentFrame
        className="maestro-card-frame"
        html={props.html ?? ''}
        title="Model card"
      />
    </Section>
  );
}

/**
 * How the sections people write are filled: said once above the checklist.
 */
export const EDIT_HINT =
  'Write a missing section with its Fill button or Edit, ml.cards.update, or a loaded Markdown card.';

/**
 * The completeness checklist: every field, filled or missing; a missing
 * section people write has a button opening the form on it (how to fill
 * them is said once, above the list, not beside each); a missing item with
 * a hint of its own (a fact of the registry) says how to record it.
 */
function Checklist(props: {
  items: CardChecklistItem[];
  onFill: (field: string) => void;
}): JSX.Element {
  const headingId = useId();
  const filled = props.items.filter(item => item.filled).length;
  const unwritten = props.items.some(
    item => !item.filled && isSectionField(item.field)
  );
  return (
    <section className="maestro-card-checklist" aria-labelledby={headingId}>
      <h3 id={headingId} className="maestro-card-section-title">
        {`Checklist (${filled} of ${props.items.length})`}
      </h3>
      {unwritten && (
        // Said once for every section people write, not beside each.
        <p className="maestro-card-edit-hint">{EDIT_HINT}</p>
      )}
      <ul className="maestro-card-checklist-items">
        {props.items.map(item => (
          <li
            key={item.field}
            className={`maestro-card-check ${
              item.filled ? 'maestro-mod-filled' : 'maestro-mod-missing'
            }`}
            data-field={item.field}
            data-origin={item.origin}
            data-required={item.required ? 'true' : 'false'}
          >
            <span className="maestro-card-check-mark" aria-hidden="true">
              {item.filled ? '✓' : '○'}
            </span>
            <span className="maestro-card-check-label">{item.label}</span>
            {item.required && (
              <span className="maestro-card-required" title="Required">
                required
              </span>
            )}
            <span className="maestro-visually-hidden">
              {item.filled ? 'filled' : 'missing'}
            </span>
            {!item.filled && isSectionField(item.field) && (
              <button
                type="button"
                className="maestro-action maestro-card-fill"
                aria-label={`Fill ${item.label}`}
                title={`Write the ${item.label} section`}
                onClick={() => props.onFill(item.field)}
              >
                Fill
              </button>
            )}
            {!item.filled && item.hint && (
              <p className="maestro-card-hint">{item.hint}</p>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

/**
 * The inline approval form: an optional comment, Approve and Cancel.
 */
function ApproveForm(props: {
  saving: boolean;
  onApprove: (comment: string) => void;
  onCancel: () => void;
}): JSX.Element {
  const [comment, setComment] = useState('');
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    input.current?.focus();
  }, []);
  return (
    <form
      className="maestro-card-approve-form"
      aria-label="Approve the card"
      onSubmit={event => {
        event.preventDefault();
        props.onApprove(comment);
      }}
    >
      <input
        ref={input}
        className="maestro-card-input maestro-card-comment"
        type="text"
        name="comment"
        aria-label="Approval comment (optional)"
        placeholder="Comment (optional)"
        value={comment}
        onChange={event => setComment(event.target.value)}
        onKeyDown={event => {
          if (event.key === 'Escape') {
            props.onCancel();
          }
        }}
        disabled={props.saving}
      />
      <button
        type="submit"
        className="maestro-button maestro-button-accept maestro-card-approve-confirm"
        disabled={props.saving}
      >
        Confirm approval
      </button>
      <button
        type="button"
        className="maestro-button maestro-card-approve-cancel"
        onClick={props.onCancel}
        disabled={props.saving}
      >
        Cancel
      </button>
    </form>
  );
}

/**
 * The form editing the sections people write, prefilled from the card.
 */
function CardForm(props: {
  sections: CardSections;
  saving: boolean;
  /** The field to focus when the form opens (default: the first one). */
  focusField: string | null;
  onSave: (values: CardFormValues) => void;
  onCancel: () => void;
}): JSX.Element {
  const [values, setValues] = useState<CardFormValues>(() =>
    formValues(props.sections)
  );
  const form = useRef<HTMLFormElement>(null);
  const id = useId();
  useEffect(() => {
    const element = form.current?.elements.namedItem(
      props.focusField ?? 'owners'
    );
    if (
      element instanceof HTMLInputElement ||
      element instanceof HTMLTextAreaElement
    ) {
      element.focus();
    }
  }, [props.focusField]);

  const bind = (field: keyof CardFormValues) => ({
    id: `${id}-${field}`,
    name: field,
    value: values[field],
    disabled: props.saving,
    onChange: (
      event: React.ChangeEvent<HTMLInputElement | HTMLTextAreaElement>
    ) => {
      const value = event.target.value;
      setValues(current => ({ ...current, [field]: value }));
    }
  });

  return (
    <form
      ref={form}
      className="maestro-card-form"
      aria-label="Edit the model card"
      onSubmit={event => {
        event.preventDefault();
        props.onSave(values);
      }}
      onKeyDown={event => {
        if (event.key === 'Escape') {
          props.onCancel();
        }
      }}
    >
      <div className="maestro-card-field" data-field="owners">
        <label htmlFor={`${id}-owners`}>Owners</label>
        <textarea
          {...bind('owners')}
          className="maestro-card-input"
          rows={3}
          placeholder="One per line: Name <contact>"
        />
      </div>
      <div className="maestro-card-field" data-field="license">
        <label htmlFor={`${id}-license`}>License</label>
        <input
          {...bind('license')}
          className="maestro-card-input"
          type="text"
          placeholder="SPDX id or a short licence name, e.g. Apache-2.0"
        />
      </div>
      <div className="maestro-card-field" data-field="references">
        <label htmlFor={`${id}-references`}>References</label>
        <textarea
          {...bind('references')}
          className="maestro-card-input"
          rows={3}
          placeholder="One URL per line"
        />
      </div>
      {PROSE_SECTIONS.map(({ field, label }) => (
        <div key={field} className="maestro-card-field" data-field={field}>
          <label htmlFor={`${id}-${field}`}>{label}</label>
          <textarea
            {...bind(field)}
            className="maestro-card-input"
            rows={4}
            placeholder="Markdown"
          />
        </div>
      ))}
      <div className="maestro-card-form-actions">
        <button
          type="submit"
          className="maestro-button maestro-button-accept maestro-card-save"
          disabled={props.saving}
        >
          {props.saving ? 'Saving…' : 'Save'}
        </button>
        <button
          type="button"
          className="maestro-button maestro-card-cancel"
          onClick={props.onCancel}
          disabled={props.saving}
        >
          Cancel
        </button>
      </div>
    </form>
  );
}
