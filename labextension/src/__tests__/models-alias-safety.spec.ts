/**
 * What the Models tab asks before an alias is removed, moved or set past the gate (`models/aliasSafety.ts`).
 */
import type { Deployment } from '../api';
import {
  moveAliasConfirmation,
  overrideConfirmation,
  removeAliasConfirmation,
  servingDeployments
} from '../models/aliasSafety';

function deployment(
  id: string,
  fields: Partial<
    Pick<Deployment, 'model' | 'version' | 'alias' | 'status'>
  > = {}
): Deployment {
  return {
    id,
    model: 'iris',
    version: '3',
    alias: 'champion',
    status: 'ready',
    ...fields
  } as Deployment;
}

describe('servingDeployments', () => {
  it('keeps the active deployments of the model made through the alias at the version it names', () => {
    const all = [
      deployment('prod'),
      deployment('starting', { status: 'starting' }),
      deployment('stopped', { status: 'stopped' }),
      deployment('failed', { status: 'failed' }),
      deployment('old', { version: '2' }),
      deployment('staging', { alias: 'staging' }),
      deployment('pinned', { alias: null }),
      deployment('wine', { model: 'wine' })
    ];
    expect(
      servingDeployments(all, 'iris', 'champion', '3').map(d => d.id)
    ).toEqual(['prod', 'starting']);
  });
});

describe('confirmations', () => {
  const three = {
    ok: true as const,
    deployments: [deployment('a'), deployment('b'), deployment('c')]
  };
  const none = { ok: true as const, deployments: [] };

  it('names every deployment serving the alias when removing it', () => {
    const asked = removeAliasConfirmation('iris', 'champion', '3', three);
    expect(asked.title).toBe('Remove alias champion?');
    expect(asked.accept).toBe('Remove alias');
    expect(asked.body).toBe(
      'Deployments a, b and c serve iris@champion (version 3). Removing the alias leaves them serving version 3, ' +
        'no longer as champion. iris@champion will no longer name version 3: code loading models:/iris@champion will fail.'
    );
    expect(removeAliasConfirmation('iris', 'champion', '3', none).body).toBe(
      'iris@champion will no longer name version 3: code loading models:/iris@champion will fail.'
    );
  });

  it('says where a moved alias pointed and where it will', () => {
    const asked = moveAliasConfirmation('iris', 'champion', '3', '4', none);
    expect(asked).toEqual({
      title: 'Move alias champion to version 4?',
      body: 'iris@champion names version 3; it will name version 4.',
      accept: 'Move alias'
    });
  });

  it('names the failed checks, or the missing tests, before an override', () => {
    expect(
      overrideConfirmation('iris', 'champion', '4', ['accuracy'], null).body
    ).toBe(
      'Version 4 of iris failed the check accuracy. iris@champion will name version 4 anyway; your reason is recorded.'
    );
    const untested = overrideConfirmation('iris', 'champion', '4', [], {
      from: '3',
      lookup: { ok: false, error: 'Forbidden' }
    });
    expect(untested.title).toBe('Override the promotion gate for champion?');
    expect(untested.body).toBe(
      'Version 4 of iris has no passing test run. iris@champion names version 3; it will name version 4 anyway; ' +
        'your reason is recorded. ' +
        'Could not check which deployments serve iris@champion: Forbidden'
    );
  });
});
