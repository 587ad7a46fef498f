import {
  act,
  fireEvent,
  render,
  screen,
  waitFor,
  within
} from '@testing-library/react';
import React from 'react';

import * as api from '../api';
import { CardSections, ModelCard, MaestroAPIError } from '../api';
import { CardView, EDIT_HINT } from '../card/CardView';
import { createCardWidget } from '../card/CardWidget';
import { draftApproval, emptySections } from './card-fixtures';

jest.mock('../api', () => ({
  ...jest.requireActual('../api'),
  getCard: jest.fn(),
  getCardHTML: jest.fn(),
  updateCard: jest.fn()
}));

const mocked = api as jest.Mocked<typeof api>;

const HTML = '<!doctype html><html><body><h1>iris v3</h1></body></html>';
const HTML_AFTER =
  '<!doctype html><html><body><h1>iris v3 (2)</h1></body></html>';

function sections(overrides: Partial<CardSections> = {}): CardSections {
  return emptySections({
    owners: [{ name: 'Alice', contact: 'alice@example.com' }],
    license: 'MIT',
    references: ['https://example.com/paper'],
    intended_use: 'Classify iris flowers.',
    ...overrides
  });
}

function card(overrides: Partial<ModelCard> = {}): ModelCard {
  return {
    schema_version: '1.0',
    generated_at: '2026-11-26T10:00:00+00:00',
    artifact_uri: null,
    facts: {
      model: {
        name: 'iris',
        version: '3',
        model_uri: 'models:/iris/3',
        description: 'An iris classifier',
        model_description: '',
        aliases: ['champion'],
        registry_status: 'READY',
        created_at: 0,
        source: '',
        run_id: 'run-3',
        experiment_id: '1',
        created_by: 'alice',
        flavors: ['sklearn'],
        framework: 'scikit-learn 1.5.2',
        architecture: 'LogisticRegression',
        tags: {}
      },
      parameters: {
        hyperparameters: { C: '1.0' },
        inputs: [],
        outputs: [],
        has_signature: false
      },
      training: {
        run_name: null,
        started_at: null,
        duration_seconds: null,
        datasets: [],
        profile: null,
        features: null,
        hardware: {},
        cost: null,
        requirements: [],
        python_version: null
      },
      evaluation: { metrics: [], tests: null },
      load_snippet: 'import mlflow'
    },
    sections: sections(),
    approval: draftApproval(),
    completeness: {
      score: 8 / 13,
      filled: 8,
      required: 13,
      missing: ['Limitations', 'Training data'],
      checklist: [
        {
          field: 'description',
          label: 'Description',
          required: true,
          filled: true,
          origin: 'registry',
          hint: ''
        },
        {
          field: 'intended_use',
          label: 'Intended use',
          required: true,
          filled: true,
          origin: 'people',
          hint: ''
        },
        {
          field: 'limitations',
          label: 'Limitations',
          required: true,
          filled: false,
          origin: 'missing',
          hint: 'What the model does badly or not at all.'
        },
        {
          field: 'training_data',
          label: 'Training data',
          required: true,
          filled: false,
          origin: 'missing',
          hint: 'Log the dataset with mlflow.log_input.'
        },
        {
          field: 'citation',
          label: 'Citation',
          required: false,
          filled: false,
          origin: 'missing',
          hint: ''
        }
      ]
    },
    ...overrides
  };
}

/** The approved card the server returns after an approval. */
function approved(comment: string | null = 'LGTM'): ModelCard {
  const base = card();
  return {
    ...base,
    approval: {
      ...base.approval,
      status: 'approved',
      approved_by: 'alice',
      approved_at: '2026-11-26T11:00:00+00:00',
      comment
    }
  };
}

async function renderCard(): Promise<HTMLElement> {
  const { container } = render(<CardView name="iris" version="3" />);
  await waitFor(() =>
    expect(container.querySelector('.maestro-card-frame')).not.toBeNull()
  );
  return container;
}

/** The document a frame shows, without the theme's style the view adds to it. */
function shown(iframe: HTMLIFrameElement): string | null {
  const srcdoc = iframe.getAttribute('srcdoc');
  return srcdoc === null
    ? null
    : srcdoc.replace(/<style data-maestro-theme>[\s\S]*?<\/style>/, '');
}

function frame(container: HTMLElement): HTMLIFrameElement {
  return container.querySelector('.maestro-card-frame') as HTMLIFrameElement;
}

function button(container: HTMLElement, className: string): HTMLButtonElement {
  const element = container.querySelector(`button.${className}`);
  if (!element) {
    throw new Error(`No button .${className}`);
  }
  return element as HTMLButtonElement;
}

function field(
  form: HTMLElement,
  name: string
): HTMLInputElement | HTMLTextAreaElement {
  const element = form.querySelector(`[name="${name}"]`);
  if (!element) {
    throw new Error(`No field ${name}`);
  }
  return element as HTMLInputElement | HTMLTextAreaElement;
}

beforeEach(() => {
  jest.resetAllMocks();
  mocked.getCard.mockResolvedValue(card());
  mocked.getCardHTML.mockResolvedValue(HTML);
});

describe('CardView', () => {
  it('shows the status, the completeness, the checklist and the rendered card', async () => {
    const container = await renderCard();
    expect(mocked.getCard.mock.calls[0].slice(0, 2)).toEqual(['iris', '3']);
    expect(mocked.getCardHTML.mock.calls[0].slice(0, 2)).toEqual(['iris', '3']);

    const header = container.querySelector(
      '.maestro-card-header'
    ) as HTMLElement;
    const status = header.querySelector('.maestro-card-status') as HTMLElement;
    expect(status.textContent).toBe('Draft');
    expect(status.getAttribute('data-status')).toBe('draft');
    expect(header.querySelector('.maestro-card-stale')).toBeNull();

    const completeness = header.querySelector(
      '.maestro-card-completeness'
    ) as HTMLElement;
    expect(completeness.textContent).toContain('Completeness 62% (8 of 13)');
    expect(completeness.getAttribute('title')).toBe(
      'Missing: Limitations, Training data'
    );
    const meter = completeness.querySelector('meter') as HTMLMeterElement;
    expect(Number(meter.getAttribute('value'))).toBeCloseTo(8 / 13);
    expect(
      [...completeness.querySelectorAll('.maestro-card-missing li')].map(
        li => li.textContent
      )
    ).toEqual(['Limitations', 'Training data']);

    // No scripts: the sandbox only lets the view read the card (to size the frame to it).
    const iframe = frame(container);
    expect(iframe.getAttribute('sandbox')).toBe('allow-same-origin');
    expect(shown(iframe)).toBe(HTML);
    expect(iframe.getAttribute('title')).toBe('Model card');

    const checklist = container.querySelector(
      '.maestro-card-checklist'
    ) as HTMLElement;
    const items = [...checklist.querySelectorAll('li[data-field]')];
    expect(items.map(li => li.getAttribute('data-field'))).toEqual([
      'description',
      'intended_use',
      'limitations',
      'training_data',
      'citation'
    ]);
    const missing = [...checklist.querySelectorAll('li.maestro-mod-missing')];
    expect(missing.map(li => li.getAttribute('data-field'))).toEqual([
      'limitations',
      'training_data',
      'citation'
    ]);
    const limitations = checklist.querySelector(
      '[data-field="limitations"]'
    ) as HTMLElement;
    expect(limitations.querySelector('.maestro-card-hint')?.textContent).toBe(
      'What the model does badly or not at all.'
    );
    expect(limitations.querySelector('.maestro-card-required')).not.toBeNull();
    expect(
      checklist.querySelector('[data-field="citation"] .maestro-card-required')
    ).toBeNull();
    const described = checklist.querySelector(
      '[data-field="description"]'
    ) as HTMLElement;
    expect(described.classList.contains('maestro-mod-missing')).toBe(false);
    expect(described.querySelector('.maestro-card-hint')).toBeNull();
    expect(described.getAttribute('data-origin')).toBe('registry');
  });

  it('says once how to fill the sections people write, not beside each', async () => {
    const container = await renderCard();
    const checklist = container.querySelector(
      '.maestro-card-checklist'
    ) as HTMLElement;
    const hints = checklist.querySelectorAll('.maestro-card-edit-hint');
    expect(hints.length).toBe(1);
    expect(hints[0].textContent).toBe(EDIT_HINT);
    // Citation is a missing section with no hint of its own: only its Fill button.
    const citation = checklist.querySelector(
      '[data-field="citation"]'
    ) as HTMLElement;
    expect(citation.querySelector('.maestro-card-hint')).toBeNull();
    expect(citation.querySelector('.maestro-card-fill')).not.toBeNull();
    expect(checklist.textContent?.split('ml.cards.update').length).toBe(2);

    // Every section written: no hint at all.
    mocked.getCard.mockResolvedValue(
      card({
        completeness: {
          ...card().completeness,
          checklist: card().completeness.checklist.map(item => ({
            ...item,
            filled: true,
            origin: 'people'
          }))
        }
      })
    );
    const full = await renderCard();
    expect(full.querySelector('.maestro-card-edit-hint')).toBeNull();
  });

  it('sizes the frame to the card (the view scrolls, not the frame) and themes it', async () => {
    document.body.dataset.jpThemeLight = 'false';
    try {
      const container = await renderCard();
      const iframe = frame(container);
      expect(iframe.getAttribute('data-theme')).toBe('dark');
      expect(iframe.getAttribute('srcdoc')).toContain('color-scheme: dark');
      expect(iframe.getAttribute('srcdoc')).toMatch(/--ink: [^;]+;/);
      const root = iframe.contentDocument?.documentElement as HTMLElement;
      Object.defineProperty(root, 'scrollHeight', {
        configurable: true,
        value: 2400
      });
      fireEvent.load(iframe);
      expect(iframe.getAttribute('data-fitted')).toBe('true');
      expect(iframe.style.height).toBe('2402px');
    } finally {
      delete document.body.dataset.jpThemeLight;
    }
  });

  it('links to the downloads of every format as attachments', async () => {
    const container = await renderCard();
    const links = [
      ...container.querySelectorAll<HTMLAnchorElement>(
        'a.maestro-card-download'
      )
    ];
    expect(links.map(link => link.getAttribute('data-format'))).toEqual([
      'md',
      'html',
      'pdf',
      'json'
    ]);
    for (const link of links) {
      const format = link.getAttribute('data-format');
      const url = new URL(link.getAttribute('href') as string);
      expect(url.pathname).toMatch(
        /\/maestro\/api\/v1\/models\/iris\/versions\/3\/card$/
      );
      expect(url.searchParams.get('format')).toBe(format);
      expect(url.searchParams.get('download')).toBe('1');
      expect(link.hasAttribute('download')).toBe(true);
    }
  });

  it('shows a stale approval and allows approving again', async () => {
    mocked.getCard.mockResolvedValue({
      ...approved(),
      approval: {
        ...approved().approval,
        stale: true,
        stale_reasons: ['The model version changed', 'New metrics']
      }
    });
    const container = await renderCard();
    expect(container.querySelector('.maestro-card-status')?.textContent).toBe(
      'Approved'
    );
    const stale = container.querySelector('.maestro-card-stale') as HTMLElement;
    expect(stale.textContent).toBe('Stale');
    expect(stale.getAttribute('title')).toBe(
      'The model version changed\nNew metrics'
    );
    expect(button(container, 'maestro-card-approve').disabled).toBe(false);
  });

  it('cannot approve an approved card that is not stale', async () => {
    mocked.getCard.mockResolvedValue(approved());
    const container = await renderCard();
    expect(
      container.querySelector('.maestro-card-status')?.getAttribute('title')
    ).toBe('Approved by alice on 2026-11-26T11:00:00+00:00: LGTM');
    expect(button(container, 'maestro-card-approve').disabled).toBe(true);
  });

  it('approves with a comment, then shows the returned card and reloads the frame', async () => {
    const container = await renderCard();
    mocked.updateCard.mockResolvedValue(approved('LGTM'));
    mocked.getCardHTML.mockResolvedValue(HTML_AFTER);

    fireEvent.click(button(container, 'maestro-card-approve'));
    const form = container.querySelector(
      '.maestro-card-approve-form'
    ) as HTMLFormElement;
    const comment = within(form).getByRole('textbox', {
      name: 'Approval comment (optional)'
    });
    fireEvent.change(comment, { target: { value: '  LGTM ' } });
    fireEvent.click(button(container, 'maestro-card-approve-confirm'));

    await waitFor(() =>
      expect(container.querySelector('.maestro-card-status')?.textContent).toBe(
        'Approved'
      )
    );
    expect(mocked.updateCard).toHaveBeenCalledTimes(1);
    expect(mocked.updateCard).toHaveBeenCalledWith('iris', '3', {
      status: 'approved',
      comment: 'LGTM'
    });
    await waitFor(() => expect(shown(frame(container))).toBe(HTML_AFTER));
    expect(mocked.getCardHTML).toHaveBeenCalledTimes(2);
    // The card JSON is not requested again: the PUT returned it.
    expect(mocked.getCard).toHaveBeenCalledTimes(1);
    expect(container.querySelector('.maestro-card-approve-form')).toBeNull();
    expect(button(container, 'maestro-card-approve').disabled).toBe(true);
  });

  it('approves without a comment when none is given', async () => {
    const container = await renderCard();
    mocked.updateCard.mockResolvedValue(approved(null));
    fireEvent.click(button(container, 'maestro-card-approve'));
    fireEvent.submit(
      container.querySelector('.maestro-card-approve-form') as HTMLFormElement
    );
    await waitFor(() => expect(mocked.updateCard).toHaveBeenCalledTimes(1));
    expect(mocked.updateCard.mock.calls[0][2]).toEqual({ status: 'approved' });
  });

  it('cancels an approval without a request', async () => {
    const container = await renderCard();
    fireEvent.click(button(container, 'maestro-card-approve'));
    fireEvent.click(button(container, 'maestro-card-approve-cancel'));
    expect(container.querySelector('.maestro-card-approve-form')).toBeNull();
    expect(mocked.updateCard).not.toHaveBeenCalled();
  });

  it('edits the sections and saves only the changed fields', async () => {
    const container = await renderCard();
    const edit = button(container, 'maestro-card-edit');
    fireEvent.click(edit);
    expect(edit.getAttribute('aria-pressed')).toBe('true');
    const form = container.querySelector('.maestro-card-form') as HTMLElement;
    // The rendered card makes way for the form.
    expect(frame(container)).toBeNull();

    // Prefilled from the sections; one labelled textarea per prose section.
    expect(field(form, 'owners').value).toBe('Alice <alice@example.com>');
    expect(field(form, 'owners').tagName).toBe('TEXTAREA');
    expect(field(form, 'license').value).toBe('MIT');
    expect(field(form, 'license').tagName).toBe('INPUT');
    expect(field(form, 'references').value).toBe('https://example.com/paper');
    expect(field(form, 'intended_use').value).toBe('Classify iris flowers.');
    expect(
      (
        within(form).getByLabelText('Bias, risks and harms') as HTMLElement
      ).getAttribute('name')
    ).toBe('bias_risks');
    expect(form.querySelectorAll('textarea')).toHaveLength(2 + 13);

    fireEvent.change(field(form, 'owners'), {
      target: { value: 'Alice <alice@example.com>\nBob <#ml-team>' }
    });
    fireEvent.change(field(form, 'license'), { target: { value: '' } });
    fireEvent.change(field(form, 'limitations'), {
      target: { value: 'Only three species.' }
    });
    // Edited then restored: not a change.
    fireEvent.change(field(form, 'intended_use'), { target: { value: 'x' } });
    fireEvent.change(field(form, 'intended_use'), {
      target: { value: 'Classify iris flowers.' }
    });

    const saved = card({
      sections: sections({
        owners: [
          { name: 'Alice', contact: 'alice@example.com' },
          { name: 'Bob', contact: '#ml-team' }
        ],
        license: null,
        limitations: 'Only three species.'
      })
    });
    mocked.updateCard.mockResolvedValue(saved);
    mocked.getCardHTML.mockResolvedValue(HTML_AFTER);
    fireEvent.click(button(container, 'maestro-card-save'));

    await waitFor(() => expect(frame(container)).not.toBeNull());
    expect(mocked.updateCard).toHaveBeenCalledTimes(1);
    expect(mocked.updateCard).toHaveBeenCalledWith('iris', '3', {
      sections: {
        owners: [
          { name: 'Alice', contact: 'alice@example.com' },
          { name: 'Bob', contact: '#ml-team' }
        ],
        license: null,
        limitations: 'Only three species.'
      }
    });
    expect(container.querySelector('.maestro-card-form')).toBeNull();
    await waitFor(() => expect(shown(frame(container))).toBe(HTML_AFTER));

    // The form opens again on the saved sections.
    fireEvent.click(button(container, 'maestro-card-edit'));
    const again = container.querySelector('.maestro-card-form') as HTMLElement;
    expect(field(again, 'owners').value).toBe(
      'Alice <alice@example.com>\nBob <#ml-team>'
    );
    expect(field(again, 'license').value).toBe('');
    expect(field(again, 'limitations').value).toBe('Only three species.');
  });

  it('discards the edits on Cancel', async () => {
    const container = await renderCard();
    fireEvent.click(button(container, 'maestro-card-edit'));
    let form = container.querySelector('.maestro-card-form') as HTMLElement;
    fireEvent.change(field(form, 'license'), { target: { value: 'GPL-3.0' } });
    fireEvent.click(button(container, 'maestro-card-cancel'));
    expect(container.querySelector('.maestro-card-form')).toBeNull();
    expect(shown(frame(container))).toBe(HTML);
    expect(mocked.updateCard).not.toHaveBeenCalled();

    fireEvent.click(button(container, 'maestro-card-edit'));
    form = container.querySelector('.maestro-card-form') as HTMLElement;
    expect(field(form, 'license').value).toBe('MIT');
  });

  it('closes the form without a request when nothing changed', async () => {
    const container = await renderCard();
    fireEvent.click(button(container, 'maestro-card-edit'));
    fireEvent.click(button(container, 'maestro-card-save'));
    expect(container.querySelector('.maestro-card-form')).toBeNull();
    expect(mocked.updateCard).not.toHaveBeenCalled();
  });

  it("keeps the form and shows the server's message when a save fails", async () => {
    const container = await renderCard();
    fireEvent.click(button(container, 'maestro-card-edit'));
    const form = container.querySelector('.maestro-card-form') as HTMLElement;
    fireEvent.change(field(form, 'references'), {
      target: { value: 'not a url' }
    });
    mocked.updateCard.mockRejectedValue(
      new MaestroAPIError(
        400,
        'INVALID_PARAMETER',
        'references[0]: not a valid URL'
      )
    );
    fireEvent.click(button(container, 'maestro-card-save'));

    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('references[0]: not a valid URL');
    expect(mocked.updateCard.mock.calls[0][2]).toEqual({
      sections: { references: ['not a url'] }
    });
    // Still editing, with the user's text.
    expect(field(form, 'references').value).toBe('not a url');
    expect(button(container, 'maestro-card-save').disabled).toBe(false);
  });

  it("shows the server's message when the card cannot be loaded, and retries", async () => {
    mocked.getCard.mockRejectedValue(
      new MaestroAPIError(404, 'NOT_FOUND', "Model 'iris' has no version 3")
    );
    mocked.getCardHTML.mockRejectedValue(
      new MaestroAPIError(404, 'NOT_FOUND', "Model 'iris' has no version 3")
    );
    const { container } = render(<CardView name="iris" version="3" />);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain("Model 'iris' has no version 3");
    // One message, not one per request.
    expect(screen.getAllByRole('alert')).toHaveLength(1);
    expect(frame(container)).toBeNull();
    expect(button(container, 'maestro-card-edit').disabled).toBe(true);
    expect(button(container, 'maestro-card-approve').disabled).toBe(true);

    mocked.getCard.mockResolvedValue(card());
    mocked.getCardHTML.mockResolvedValue(HTML);
    fireEvent.click(within(alert).getByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(frame(container)).not.toBeNull());
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('shows a loading state, then refreshes both the card and the frame', async () => {
    let resolve: (value: ModelCard) => void = () => undefined;
    mocked.getCard.mockReturnValue(
      new Promise<ModelCard>(done => {
        resolve = done;
      })
    );
    const { container } = render(<CardView name="iris" version="3" />);
    expect(screen.getByRole('status').textContent).toContain(
      'Loading the model card'
    );
    expect(
      container.querySelector('.maestro-card-view')?.getAttribute('data-state')
    ).toBe('loading');
    await act(async () => resolve(card()));
    await waitFor(() => expect(frame(container)).not.toBeNull());
    expect(
      container.querySelector('.maestro-card-view')?.getAttribute('data-state')
    ).toBe('done');

    mocked.getCard.mockResolvedValue(approved());
    mocked.getCardHTML.mockResolvedValue(HTML_AFTER);
    fireEvent.click(button(container, 'maestro-card-refresh'));
    await waitFor(() => expect(shown(frame(container))).toBe(HTML_AFTER));
    expect(container.querySelector('.maestro-card-status')?.textContent).toBe(
      'Approved'
    );
    expect(mocked.getCard).toHaveBeenCalledTimes(2);
    expect(mocked.getCardHTML).toHaveBeenCalledTimes(2);
  });

  it('opens the form on a missing section from the checklist', async () => {
    const container = await renderCard();
    const checklist = container.querySelector(
      '.maestro-card-checklist'
    ) as HTMLElement;
    // Only the sections people write can be filled here.
    expect(
      checklist.querySelector('[data-field="description"] .maestro-card-fill')
    ).toBeNull();
    fireEvent.click(
      within(checklist).getByRole('button', { name: 'Fill Limitations' })
    );
    const form = container.querySelector('.maestro-card-form') as HTMLElement;
    expect(document.activeElement).toBe(field(form, 'limitations'));
  });
});

describe('createCardWidget', () => {
  it('creates a closable tab titled with the model and version', () => {
    const widget = createCardWidget({ name: 'iris', version: '3' });
    expect(widget.id).toBe('maestro-card-iris-3');
    expect(widget.hasClass('maestro-card')).toBe(true);
    expect(widget.node.dataset.name).toBe('iris');
    expect(widget.node.dataset.version).toBe('3');
    expect(widget.title.label).toBe('Card: iris v3');
    expect(widget.title.closable).toBe(true);
    expect(widget.content.hasClass('maestro-card-content')).toBe(true);
    // Nothing is requested before the tab is shown.
    expect(mocked.getCard).not.toHaveBeenCalled();
    widget.dispose();
  });
});
