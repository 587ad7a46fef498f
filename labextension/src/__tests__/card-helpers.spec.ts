import {
  canApprove,
  CARD_DOWNLOADS,
  cardWidgetId,
  changedSections,
  completenessText,
  formatOwners,
  formValues,
  isSectionField,
  missingTitle,
  parseLines,
  parseOwners,
  percent,
  PROSE_SECTIONS,
  SECTION_FIELDS,
  statusLabel,
  statusTitle
} from '../card/helpers';
import {
  draftApproval as approval,
  emptySections as sections
} from './card-fixtures';

describe('card helpers', () => {
  it('lists the prose sections in display order with their titles', () => {
    expect(PROSE_SECTIONS.map(section => section.label)).toEqual([
      'Intended use',
      'Intended users',
      'Out-of-scope use',
      'Training data',
      'Preprocessing',
      'Evaluation data',
      'Limitations',
      'Bias, risks and harms',
      'Trade-offs',
      'Ethical considerations',
      'Recommendations',
      'Environmental impact notes',
      'Citation'
    ]);
    expect(PROSE_SECTIONS[7].field).toBe('bias_risks');
    expect(SECTION_FIELDS.slice(0, 4)).toEqual([
      'owners',
      'license',
      'references',
      'intended_use'
    ]);
    // Every section field of the card is in the form.
    expect([...SECTION_FIELDS].sort()).toEqual(Object.keys(sections()).sort());
    expect(isSectionField('limitations')).toBe(true);
    expect(isSectionField('description')).toBe(false);
    expect(CARD_DOWNLOADS.map(item => item.format)).toEqual([
      'md',
      'html',
      'pdf',
      'json'
    ]);
  });

  it('builds the widget id from the name and the version', () => {
    expect(cardWidgetId('iris-classifier', '3')).toBe(
      'maestro-card-iris-classifier-3'
    );
    expect(cardWidgetId('team/iris model', '12')).toBe(
      'maestro-card-team-iris-model-12'
    );
  });

  it('labels the approval state', () => {
    expect(statusLabel(approval())).toBe('Draft');
    expect(statusTitle(approval())).toBe('Draft: not approved yet');
    const approved = approval({
      status: 'approved',
      approved_by: 'alice',
      approved_at: '2026-11-26T10:00:00+00:00',
      comment: 'LGTM'
    });
    expect(statusLabel(approved)).toBe('Approved');
    expect(statusTitle(approved)).toBe(
      'Approved by alice on 2026-11-26T10:00:00+00:00: LGTM'
    );
    expect(statusTitle(approval({ status: 'approved' }))).toBe('Approved');
    expect(canApprove(approval())).toBe(true);
    expect(canApprove(approved)).toBe(false);
    expect(canApprove({ ...approved, stale: true })).toBe(true);
  });

  it('describes the completeness', () => {
    const completeness = {
      score: 8 / 13,
      filled: 8,
      required: 13,
      missing: ['Intended use', 'Limitations'],
      checklist: []
    };
    expect(completenessText(completeness)).toBe('Completeness 62% (8 of 13)');
    expect(missingTitle(completeness)).toBe(
      'Missing: Intended use, Limitations'
    );
    expect(missingTitle({ ...completeness, missing: [] })).toBe(
      'Every required field is filled'
    );
    expect(percent(1)).toBe('100%');
    expect(percent(0)).toBe('0%');
    expect(percent(1.5)).toBe('100%');
    expect(percent(Number.NaN)).toBe('0%');
  });

  it('formats and parses owners, one "Name <contact>" per line', () => {
    const owners = [
      { name: 'Alice Martin', contact: 'alice@example.com' },
      { name: 'ML team', contact: null }
    ];
    const text = formatOwners(owners);
    expect(text).toBe('Alice Martin <alice@example.com>\nML team');
    expect(parseOwners(text)).toEqual(owners);
    expect(
      parseOwners('  Bob <  #ml-team >\n\n<carol@example.com>\nDan <>  ')
    ).toEqual([
      { name: 'Bob', contact: '#ml-team' },
      { name: 'carol@example.com', contact: null },
      { name: 'Dan', contact: null }
    ]);
    expect(parseOwners(' \n ')).toEqual([]);
    expect(parseLines(' https://a.example\n\n https://b.example \n')).toEqual([
      'https://a.example',
      'https://b.example'
    ]);
  });

  it('prefills the form values from the sections', () => {
    const values = formValues(
      sections({
        owners: [{ name: 'Alice', contact: 'alice@example.com' }],
        license: 'Apache-2.0',
        references: ['https://a.example', 'https://b.example'],
        limitations: 'Small data.'
      })
    );
    expect(values.owners).toBe('Alice <alice@example.com>');
    expect(values.license).toBe('Apache-2.0');
    expect(values.references).toBe('https://a.example\nhttps://b.example');
    expect(values.limitations).toBe('Small data.');
    expect(values.intended_use).toBe('');
    expect(Object.keys(values)).toHaveLength(SECTION_FIELDS.length);
  });

  it('sends only the changed fields, an emptied text as null', () => {
    const current = sections({
      owners: [{ name: 'Alice', contact: 'alice@example.com' }],
      license: 'MIT',
      references: ['https://a.example'],
      limitations: 'Small data.',
      citation: 'Martin et al.'
    });
    const values = formValues(current);
    expect(changedSections(current, values)).toEqual({});

    // Whitespace only around the text is not a change.
    expect(
      changedSections(current, { ...values, limitations: '  Small data.\n' })
    ).toEqual({});

    expect(
      changedSections(current, {
        ...values,
        owners: 'Alice <alice@example.com>\nBob',
        license: '',
        references: 'https://a.example\nhttps://b.example',
        intended_use: '  Classify iris flowers.  ',
        citation: '   '
      })
    ).toEqual({
      owners: [
        { name: 'Alice', contact: 'alice@example.com' },
        { name: 'Bob', contact: null }
      ],
      license: null,
      references: ['https://a.example', 'https://b.example'],
      intended_use: 'Classify iris flowers.',
      citation: null
    });

    // Emptied lists are cleared with an empty list (the server refuses null
    // for a list).
    expect(
      changedSections(current, { ...values, owners: '', references: '\n' })
    ).toEqual({ owners: [], references: [] });
    // An empty list left empty is not a change.
    const empty = sections();
    expect(
      changedSections(empty, { ...formValues(empty), references: ' ' })
    ).toEqual({});
  });
});
