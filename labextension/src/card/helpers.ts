/**
 * Pure helpers of the model card widget (no DOM, no request).
 */

import {
  CardFormat,
  CardSectionField,
  CardApproval,
  CardCompleteness,
  CardOwner,
  CardSections,
  UpdateCard
} from '../api';
import { versionWidgetId } from '../versionWidget';

/**
 * A Markdown prose section of a card.
 */
export type ProseField = Exclude<
  CardSectionField,
  'owners' | 'license' | 'references'
>;

/**
 * The prose sections, in the order a card shows them, with their titles.
 */
export const PROSE_SECTIONS: ReadonlyArray<{
  field: ProseField;
  label: string;
}> = [
  { field: 'intended_use', label: 'Intended use' },
  { field: 'intended_users', label: 'Intended users' },
  { field: 'out_of_scope_use', label: 'Out-of-scope use' },
  { field: 'training_data', label: 'Training data' },
  { field: 'preprocessing', label: 'Preprocessing' },
  { field: 'evaluation_data', label: 'Evaluation data' },
  { field: 'limitations', label: 'Limitations' },
  { field: 'bias_risks', label: 'Bias, risks and harms' },
  { field: 'tradeoffs', label: 'Trade-offs' },
  { field: 'ethical_considerations', label: 'Ethical considerations' },
  { field: 'recommendations', label: 'Recommendations' },
  { field: 'environmental_impact', label: 'Environmental impact notes' },
  { field: 'citation', label: 'Citation' }
];

/**
 * Every field of the edit form, in form order.
 */
export const SECTION_FIELDS: readonly CardSectionField[] = [
  'owners',
  'license',
  'references',
  ...PROSE_SECTIONS.map(section => section.field)
];

/**
 * Whether a (checklist) field is one of the sections the form edits.
 */
export function isSectionField(field: string): field is CardSectionField {
  return (SECTION_FIELDS as readonly string[]).includes(field);
}

/**
 * The download formats of a card, in the order of the links.
 */
export const CARD_DOWNLOADS: ReadonlyArray<{
  format: CardFormat;
  label: string;
  title: string;
}> = [
  { format: 'md', label: 'MD', title: 'Download the card as Markdown' },
  { format: 'html', label: 'HTML', title: 'Download the card as HTML' },
  { format: 'pdf', label: 'PDF', title: 'Download the card as PDF' },
  { format: 'json', label: 'JSON', title: 'Download the card as JSON' }
];

/**
 * Id of the widget of a version's model card:
 * `maestro-card-<name>-<version>`, where every character other than an ASCII
 * letter, digit, `-` or `_` is replaced with `-` (e.g. `iris classifier`,
 * `3` -> `maestro-card-iris-classifier-3`).
 *
 * Different names may share a sanitised form; the caller disambiguates.
 */
export function cardWidgetId(name: string, version: string): string {
  return versionWidgetId('maestro-card', name, version);
}

/**
 * The text of the status chip.
 */
export function statusLabel(approval: CardApproval): string {
  return approval.status === 'approved' ? 'Approved' : 'Draft';
}

/**
 * The tooltip of the status chip: who approved the card, when, and why.
 */
export function statusTitle(approval: CardApproval): string {
  if (approval.status !== 'approved') {
    return 'Draft: not approved yet';
  }
  const parts = ['Approved'];
  if (approval.approved_by) {
    parts.push(`by ${approval.approved_by}`);
  }
  if (approval.approved_at) {
    parts.push(`on ${approval.approved_at}`);
  }
  const title = parts.join(' ');
  return approval.comment ? `${title}: ${approval.comment}` : title;
}

/**
 * Whether the card can be approved: it is a draft, or its approval is stale.
 */
export function canApprove(approval: CardApproval): boolean {
  return approval.status !== 'approved' || approval.stale;
}

/**
 * A share as a whole percentage (`0.615` -> `62%`), clamped to 0-100.
 */
export function percent(share: number): string {
  const value = Number.isFinite(share) ? share : 0;
  return `${Math.round(Math.min(1, Math.max(0, value)) * 100)}%`;
}

/**
 * The completeness text, e.g. `Completeness 62% (8 of 13)`.
 */
export function completenessText(completeness: CardCompleteness): string {
  return `Completeness ${percent(completeness.score)} (${
    completeness.filled
  } of ${completeness.required})`;
}

/**
 * The tooltip of the completeness meter: the missing required fields.
 */
export function missingTitle(completeness: CardCompleteness): string {
  return completeness.missing.length === 0
    ? 'Every required field is filled'
    : `Missing: ${completeness.missing.join(', ')}`;
}

/**
 * Owners as the form shows them: one per line, `Name <contact>`.
 */
export function formatOwners(owners: readonly CardOwner[]): string {
  return owners
    .map(owner =>
      owner.contact ? `${owner.name} <${owner.contact}>` : owner.name
    )
    .join('\n');
}

/**
 * Parse the owners of the form: one per non-empty line, `Name <contact>` or
 * just `Name` (a line that is only `<contact>` uses the contact as name).
 */
export function parseOwners(text: string): CardOwner[] {
  const owners: CardOwner[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line) {
      continue;
    }
    const match = /^(.*?)\s*<([^<>]*)>$/.exec(line);
    if (match === null) {
      owners.push({ name: line, contact: null });
      continue;
    }
    const name = match[1].trim();
    const contact = match[2].trim();
    if (!name) {
      owners.push({ name: contact || line, contact: null });
    } else {
      owners.push({ name, contact: contact || null });
    }
  }
  return owners;
}

/**
 * Parse a list of one item per non-empty line (references).
 */
export function parseLines(text: string): string[] {
  return text
    .split('\n')
    .map(line => line.trim())
    .filter(line => line.length > 0);
}

/**
 * The values of the edit form: one string per section field.
 */
export type CardFormValues = { [K in CardSectionField]: string };

/**
 * The initial values of the edit form, from a card's sections.
 */
export function formValues(sections: CardSections): CardFormValues {
  const values = {
    owners: formatOwners(sections.owners ?? []),
    license: sections.license ?? '',
    references: (sections.references ?? []).join('\n')
  } as CardFormValues;
  for (const { field } of PROSE_SECTIONS) {
    values[field] = sections[field] ?? '';
  }
  return values;
}

/**
 * The value a form field is saved as: an empty text field is `null`
 * (cleared); an empty list (owners, references) is `[]`, which clears it too
 * (the server validates these two as lists, where `null` is refused).
 */
function fieldValue(
  field: CardSectionField,
  text: string
): CardSections[CardSectionField] | null {
  switch (field) {
    case 'owners': {
      return parseOwners(text);
    }
    case 'references': {
      return parseLines(text);
    }
    default: {
      const value = text.trim();
      return value ? value : null;
    }
  }
}

/**
 * The sections to send when saving the form: only the fields whose value
 * differs from the card's; an emptied text field as `null`, an emptied list
 * as `[]`.
 */
export function changedSections(
  sections: CardSections,
  values: CardFormValues
): NonNullable<UpdateCard['sections']> {
  const initial = formValues(sections);
  const changed: NonNullable<UpdateCard['sections']> = {};
  for (const field of SECTION_FIELDS) {
    const before = fieldValue(field, initial[field]);
    const after = fieldValue(field, values[field]);
    if (JSON.stringify(before) !== JSON.stringify(after)) {
      (changed as { [key: string]: unknown })[field] = after;
    }
  }
  return changed;
}
