import { View, parse } from 'vega';
import { compile } from 'vega-lite';

import { VersionMetrics } from '../api';
import { versionLabel, versionMetricSpec } from '../compare/chart';
import { themedSpec } from '../charts/theme';

const versions: VersionMetrics[] = [
  {
    version: '1',
    aliases: [],
    creation_timestamp: 0,
    run_id: 'r1',
    features: null,
    metrics: { roc_auc: 0.995, rows: 1200, log_loss: 0.31 }
  },
  {
    version: '2',
    aliases: ['champion', 'prod'],
    creation_timestamp: 0,
    run_id: 'r2',
    features: null,
    metrics: { roc_auc: 0.992, rows: 1500, log_loss: 0.29 }
  },
  {
    version: '3',
    aliases: [],
    creation_timestamp: 0,
    run_id: 'r3',
    features: null,
    metrics: { roc_auc: null, rows: null, log_loss: 0.3 }
  }
];

/** Run a spec headless (with the theme's parameters) and return its view. */
async function view(spec: any): Promise<View> {
  const result = new View(parse(compile(themedSpec(spec)).spec), {
    renderer: 'none'
  });
  await result.runAsync();
  return result;
}

describe('versionMetricSpec', () => {
  it('draws scores from 0 to 1: 0.995 against 0.992 is no cliff', async () => {
    const chart = await view(versionMetricSpec('roc_auc', versions));
    expect(chart.scale('y').domain()).toEqual([0, 1]);
    // Every version keeps its place, the one without a value too.
    expect(chart.scale('x').domain()).toEqual(['v1', 'v2', 'v3']);
    chart.finalize();
  });

  it('draws any scores on [0, 1], not on their own nice range', async () => {
    const low = versions.map((version, index) => ({
      ...version,
      metrics: { f1: [0.52, 0.61, 0.58][index] }
    }));
    const chart = await view(versionMetricSpec('f1', low));
    expect(chart.scale('y').domain()).toEqual([0, 1]);
    chart.finalize();
  });

  it('starts counts at zero', async () => {
    const chart = await view(versionMetricSpec('rows', versions));
    const [low, high] = chart.scale('y').domain();
    expect(low).toBe(0);
    expect(high).toBeGreaterThanOrEqual(1500);
    chart.finalize();
  });

  it('highlights the best version: the highest score, the lowest loss', () => {
    const best = (metric: string) =>
      (versionMetricSpec(metric, versions) as any).data.values
        .filter((row: any) => row.best)
        .map((row: any) => row.label);
    expect(best('roc_auc')).toEqual(['v1']);
    expect(best('log_loss')).toEqual(['v2']);
  });

  it('has tooltips with the aliases, axis titles and a description', () => {
    const spec = versionMetricSpec('roc_auc', versions) as any;
    expect(spec.encoding.tooltip.map((t: any) => t.title)).toEqual([
      'Version',
      'roc_auc',
      'Details'
    ]);
    expect(spec.data.values[1].detail).toBe('champion, prod');
    expect(spec.encoding.x.title).toBe('Version');
    expect(spec.encoding.y.title).toBe('roc_auc');
    expect(spec.description).toBe(
      'roc_auc by version: v1 0.995, v2 0.992, v3 no value.'
    );
    expect(versionLabel({ version: '12' })).toBe('v12');
  });
});
