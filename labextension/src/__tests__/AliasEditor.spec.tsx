import {
  act,
  fireEvent,
  render,
  screen,
  waitFor,
  within
} from '@testing-library/react';
import React from 'react';

import { AliasEditor, IAliasEditorProps } from '../models/AliasEditor';
import {
  answerDialog,
  dialogButtons,
  dialogText,
  openDialog,
  waitForDialog
} from './helpers/dialog';
import { json, mockRequests } from './helpers/requests';

const REFUSED = {
  error: 'GATE_REFUSED',
  message:
    "Version 3 of 'iris' cannot take alias 'champion': its tests failed (accuracy, latency_p95_ms). Run the tests again or override.",
  failed_checks: ['accuracy', 'latency_p95_ms']
};

/** The JSON body of the n-th request. */
function sentBody(spy: jest.SpyInstance, call: number): unknown {
  return JSON.parse(spy.mock.calls[call][1].body as string);
}

function renderEditor(overrides: Partial<IAliasEditorProps> = {}) {
  const props = {
    name: 'iris',
    version: '3',
    onDone: jest.fn(),
    onCancel: jest.fn(),
    onOpenTests: jest.fn(),
    ...overrides
  };
  return { ...render(<AliasEditor {...props} />), props };
}

/** Type an alias and submit the form. */
async function submitAlias(alias: string): Promise<void> {
  const input = screen.getByRole('textbox', { name: 'Alias name' });
  fireEvent.change(input, { target: { value: alias } });
  await act(async () => {
    fireEvent.submit(input.closest('form') as HTMLFormElement);
  });
}

function overrideButton(): HTMLButtonElement {
  return screen.getByRole('button', {
    name: 'Override and set alias'
  }) as HTMLButtonElement;
}

function reasonBox(): HTMLTextAreaElement {
  return screen.getByRole('textbox', {
    name: 'Reason for the override'
  }) as HTMLTextAreaElement;
}

afterEach(() => {
  jest.restoreAllMocks();
  document.querySelectorAll('.jp-Dialog').forEach(dialog => dialog.remove());
});

/** The method and path (after the API prefix) of each request sent. */
function sent(spy: jest.SpyInstance): string[] {
  return spy.mock.calls.map(
    call =>
      `${call[1]?.method ?? 'GET'} ${String(call[0]).replace(/^.*\/maestro\/api\/v1\//, '')}`
  );
}

describe('AliasEditor and the promotion gate', () => {
  it('overrides a refused promotion with a reason sent to the server', async () => {
    const spy = mockRequests(
      json(REFUSED, 409),
      json({ name: 'iris', version: '3', aliases: ['champion'] })
    );
    const { container, props } = renderEditor();
    await submitAlias('champion');

    // The first request asks without a reason.
    expect(spy.mock.calls[0][0]).toMatch(
      /\/maestro\/api\/v1\/models\/iris\/aliases\/champion$/
    );
    expect(spy.mock.calls[0][1]?.method).toBe('PUT');
    expect(sentBody(spy, 0)).toEqual({ version: '3' });

    expect((await screen.findByRole('alert')).textContent).toBe(
      REFUSED.message
    );
    const list = container.querySelector(
      'ul.maestro-gate-failed-checks'
    ) as HTMLElement;
    expect([...list.querySelectorAll('li')].map(li => li.textContent)).toEqual([
      'accuracy',
      'latency_p95_ms'
    ]);
    expect(within(list).getAllByRole('listitem')).toHaveLength(2);
    expect(props.onDone).not.toHaveBeenCalled();

    // No override without a reason.
    const button = overrideButton();
    expect(button.classList.contains('maestro-gate-override')).toBe(true);
    expect(button.disabled).toBe(true);
    const reason = reasonBox();
    expect(reason.classList.contains('maestro-gate-reason')).toBe(true);
    expect(reason.maxLength).toBe(1000);
    fireEvent.change(reason, { target: { value: '   \n ' } });
    expect(overrideButton().disabled).toBe(true);
    fireEvent.click(overrideButton());
    expect(spy).toHaveBeenCalledTimes(1);

    fireEvent.change(reason, {
      target: { value: '  hotfix approved by Ana ' }
    });
    expect(overrideButton().disabled).toBe(false);
    await act(async () => {
      fireEvent.click(overrideButton());
    });
    await answerDialog('Override and set alias');
    await waitFor(() => expect(props.onDone).toHaveBeenCalledWith('champion'));
    expect(spy).toHaveBeenCalledTimes(2);
    expect(spy.mock.calls[1][0]).toMatch(/\/models\/iris\/aliases\/champion$/);
    expect(sentBody(spy, 1)).toEqual({
      version: '3',
      override_reason: 'hotfix approved by Ana'
    });
  });

  it('offers the override for a version never tested, without a list', async () => {
    mockRequests(
      json(
        {
          error: 'GATE_REFUSED',
          message:
            "Version 3 of 'iris' cannot take alias 'champion': it was never tested.",
          failed_checks: []
        },
        409
      )
    );
    const { container } = renderEditor();
    await submitAlias('champion');
    await screen.findByRole('alert');
    expect(container.querySelector('.maestro-gate-failed-checks')).toBeNull();
    expect(reasonBox()).toBeTruthy();
    expect(overrideButton().disabled).toBe(true);
  });

  it('opens the test report from the refusal, when it can', async () => {
    mockRequests(json(REFUSED, 409), json(REFUSED, 409));
    const { props, unmount } = renderEditor();
    await submitAlias('champion');
    await screen.findByRole('alert');
    fireEvent.click(screen.getByRole('button', { name: 'Open test report' }));
    expect(props.onOpenTests).toHaveBeenCalledWith({
      name: 'iris',
      version: '3'
    });
    unmount();

    renderEditor({ onOpenTests: undefined });
    await submitAlias('champion');
    await screen.findByRole('alert');
    expect(
      screen.queryByRole('button', { name: 'Open test report' })
    ).toBeNull();
    expect(overrideButton()).toBeTruthy();
  });

  it('hides the override when the alias text changes', async () => {
    mockRequests(json(REFUSED, 409));
    const { container } = renderEditor();
    await submitAlias('champion');
    await screen.findByRole('alert');
    fireEvent.change(reasonBox(), { target: { value: 'because' } });
    fireEvent.change(screen.getByRole('textbox', { name: 'Alias name' }), {
      target: { value: 'staging' }
    });
    expect(container.querySelector('.maestro-gate')).toBeNull();
    expect(screen.queryByRole('alert')).toBeNull();
    expect(
      screen.queryByRole('button', { name: 'Override and set alias' })
    ).toBeNull();
  });

  it('keeps the override form when the override itself fails', async () => {
    const spy = mockRequests(
      json(REFUSED, 409),
      json(
        {
          error: 'INVALID_PARAMETER',
          message: 'override_reason: at most 1000 characters'
        },
        400
      )
    );
    const { props } = renderEditor();
    await submitAlias('champion');
    await screen.findByRole('alert');
    fireEvent.change(reasonBox(), { target: { value: 'because' } });
    await act(async () => {
      fireEvent.click(overrideButton());
    });
    await answerDialog('Override and set alias');
    await waitFor(() =>
      expect(screen.getByRole('alert').textContent).toBe(
        'override_reason: at most 1000 characters'
      )
    );
    expect(spy).toHaveBeenCalledTimes(2);
    expect(props.onDone).not.toHaveBeenCalled();
    // The form and the failed checks stay, with the reason typed.
    expect(reasonBox().value).toBe('because');
    expect(overrideButton().disabled).toBe(false);
    expect(
      document.querySelectorAll('.maestro-gate-failed-checks li')
    ).toHaveLength(2);
  });

  it('asks before overriding the gate, and sends nothing on Cancel', async () => {
    const spy = mockRequests(json(REFUSED, 409));
    const { props } = renderEditor();
    await submitAlias('champion');
    await screen.findByRole('alert');
    fireEvent.change(reasonBox(), { target: { value: 'hotfix' } });
    await act(async () => {
      fireEvent.click(overrideButton());
    });
    await waitForDialog();
    expect(dialogText().title).toBe(
      'Override the promotion gate for champion?'
    );
    expect(dialogText().body).toContain(
      'Version 3 of iris failed the checks accuracy and latency_p95_ms.'
    );
    expect(dialogButtons()).toEqual(['Cancel', 'Override and set alias']);
    await answerDialog('Cancel');
    expect(openDialog()).toBeNull();
    expect(sent(spy)).toEqual(['PUT models/iris/aliases/champion']);
    expect(props.onDone).not.toHaveBeenCalled();
    // The override form stays, ready to try again.
    expect(reasonBox().value).toBe('hotfix');
    expect(overrideButton().disabled).toBe(false);
  });

  it('asks before moving an alias that names another version; Cancel sends only the deployments lookup', async () => {
    const spy = mockRequests(
      json({
        deployments: [
          {
            id: 'churn-prod',
            model: 'iris',
            version: '2',
            alias: 'champion',
            alias_version: '2',
            status: 'ready'
          }
        ]
      })
    );
    const { props } = renderEditor({
      aliases: { champion: '2', staging: '3' }
    });
    await submitAlias('champion');
    await waitForDialog();
    expect(dialogText().title).toBe('Move alias champion to version 3?');
    expect(dialogText().body).toBe(
      'Deployment churn-prod serves iris@champion (version 2). Moving the alias leaves it serving version 2, no longer as champion. ' +
        'iris@champion names version 2; it will name version 3.'
    );
    await answerDialog('Cancel');
    expect(sent(spy)).toEqual(['GET deployments']);
    expect(props.onDone).not.toHaveBeenCalled();
    const input = screen.getByRole('textbox', {
      name: 'Alias name'
    }) as HTMLInputElement;
    expect(input.value).toBe('champion');
    expect(input.disabled).toBe(false);

    // An alias already on this version moves nothing: no question.
    spy.mockImplementationOnce(async () =>
      json({ name: 'iris', version: '3', aliases: ['staging'] })
    );
    await submitAlias('staging');
    await waitFor(() => expect(props.onDone).toHaveBeenCalledWith('staging'));
    expect(openDialog()).toBeNull();
    expect(sent(spy)).toEqual([
      'GET deployments',
      'PUT models/iris/aliases/staging'
    ]);
  });

  it('shows no override form for other errors', async () => {
    mockRequests(
      json(
        { error: 'INVALID_PARAMETER', message: "Alias 'latest' is reserved" },
        400
      )
    );
    const { container } = renderEditor();
    await submitAlias('latest');
    expect((await screen.findByRole('alert')).textContent).toBe(
      "Alias 'latest' is reserved"
    );
    expect(container.querySelector('.maestro-gate')).toBeNull();
  });
});
