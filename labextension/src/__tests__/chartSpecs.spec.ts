import { compile } from 'vega-lite';
import { View, parse } from 'vega';

import {
  ChartSpec,
  IHistoryPoint,
  downsample,
  learningCurveSpec,
  MAX_HOVER_POINTS,
  metricBarsSpec,
  parallelSpec,
  scatterSpec,
  valueScale
} from '../charts/specs';
import {
  readThemeValues,
  themedSpec,
  THEME_VARIABLES,
  vegaThemeConfig
} from '../charts/theme';

/** The compiled Vega spec (fails the test on an invalid Vega-Lite spec). */
function vega(spec: ChartSpec): any {
  return compile(spec).spec;
}

/** Run a spec headless and return its view (scales, data, scenegraph). */
async function run(spec: ChartSpec): Promise<View> {
  const view = new View(parse(vega(spec)), { renderer: 'none' });
  await view.runAsync();
  return view;
}

function series(
  n: number,
  f: (i: number) => number = i => 1 / (i + 1)
): IHistoryPoint[] {
  return Array.from({ length: n }, (_, i) => ({
    step: i,
    timestamp: 1_700_000_000_000 + i * 1000,
    value: f(i)
  }));
}

describe('downsample', () => {
  it('returns short series unchanged', () => {
    const points = series(10);
    expect(downsample(points, 100, p => p.value)).toBe(points);
  });

  it('caps long series, keeps the ends, the order and the extremes', () => {
    // 100,000 steps with one spike in the middle.
    const points = series(100_000, i =>
      i === 54_321 ? 50 : Math.sin(i / 1000)
    );
    const kept = downsample(points, 1000, p => p.value);
    expect(kept.length).toBeLessThanOrEqual(1000);
    expect(kept.length).toBeGreaterThan(900);
    expect(kept[0]).toBe(points[0]);
    expect(kept[kept.length - 1]).toBe(points[points.length - 1]);
    const steps = kept.map(p => p.step);
    expect([...steps].sort((a, b) => a - b)).toEqual(steps);
    // The spike (a max) and the curve's minimum survive.
    expect(kept.some(p => p.value === 50)).toBe(true);
    expect(Math.min(...kept.map(p => p.value))).toBeCloseTo(-1, 3);
  });
});

describe('valueScale', () => {
  it('spans [0, 1] for scores, so 0.995 vs 0.992 is not a cliff', () => {
    expect(valueScale([0.995, 0.992])).toEqual({ zero: true, domain: [0, 1] });
  });

  it('starts counts at zero and lets other values use their range', () => {
    expect(valueScale([120, 180])).toEqual({ zero: true, nice: true });
    expect(valueScale([2.31, 2.29])).toEqual({ zero: false, nice: true });
  });
});

describe('learningCurveSpec', () => {
  const two = [
    { runId: 'r1', label: 'bright-owl', points: series(50) },
    { runId: 'r2', label: 'calm-fox', points: series(50, i => 2 / (i + 1)) }
  ];

  it('draws a line per run against step, with a legend and tooltips', async () => {
    const spec = learningCurveSpec({ metric: 'loss', series: two });
    const compiled = vega(spec);
    const x = compiled.scales.find((s: any) => s.name === 'x');
    expect(x.type).toBe('linear');
    expect(x.zero).toBe(false);
    const y = compiled.scales.find((s: any) => s.name === 'y');
    expect(y.zero).toBe(false);
    expect(compiled.legends).toHaveLength(1);
    expect(compiled.legends[0].title).toBe('Run');
    const axes = compiled.axes.filter((a: any) => a.title);
    expect(axes.map((a: any) => a.title).sort()).toEqual(['Step', 'loss']);
    // The hover layer carries the tooltip: run, step, time, value.
    const tooltip = JSON.stringify(compiled.marks);
    for (const title of ['Run', 'Step', 'Time', 'loss']) {
      expect(tooltip).toContain(`\\"${title}\\"`);
    }
    expect(spec.description).toBe(
      'Learning curve of loss against step, 2 runs, 100 points.'
    );
    const view = await run(spec);
    const [low, high] = view.scale('x').domain();
    expect([low, high]).toEqual([0, 49]);
    view.finalize();
  });

  it('draws against time on a temporal axis', () => {
    const compiled = vega(
      learningCurveSpec({ metric: 'loss', series: two, x: 'time' })
    );
    expect(compiled.scales.find((s: any) => s.name === 'x').type).toBe('time');
    expect(compiled.axes.some((a: any) => a.title === 'Time')).toBe(true);
  });

  it('has no legend for one run and none for too many', () => {
    expect(
      vega(learningCurveSpec({ metric: 'loss', series: two.slice(0, 1) }))
        .legends
    ).toBeUndefined();
    const many = Array.from({ length: 30 }, (_, i) => ({
      runId: `r${i}`,
      label: `run ${i}`,
      points: series(5)
    }));
    expect(
      vega(learningCurveSpec({ metric: 'loss', series: many })).legends
    ).toBeUndefined();
  });

  it('downsamples long series and drops hover points beyond the cap', () => {
    const long = Array.from({ length: 10 }, (_, i) => ({
      runId: `r${i}`,
      label: `run ${i}`,
      points: series(100_000)
    }));
    const spec = learningCurveSpec({
      metric: 'loss',
      series: long,
      maxPoints: 1000
    }) as any;
    expect(spec.data.values.length).toBeLessThanOrEqual(10 * 1000);
    expect(spec.data.values.length).toBeGreaterThan(MAX_HOVER_POINTS);
    expect(spec.layer).toHaveLength(1);
    expect(spec.layer[0].mark.tooltip).toBe(true);
  });
});

describe('metricBarsSpec', () => {
  it('starts score bars at 0 and ends them at 1, best bar highlighted', async () => {
    const spec = metricBarsSpec({
      metric: 'roc_auc',
      bars: [
        { label: 'v1', value: 0.995 },
        { label: 'v2', value: 0.992, detail: 'champion' },
        { label: 'v3', value: null }
      ]
    });
    const view = await run(themedSpec(spec as any));
    expect(view.scale('y').domain()).toEqual([0, 1]);
    expect(view.scale('x').domain()).toEqual(['v1', 'v2', 'v3']);
    const rows = (spec as any).data.values;
    expect(rows.map((row: any) => row.best)).toEqual([true, false, false]);
    expect(spec.description).toBe(
      'roc_auc by version: v1 0.995, v2 0.992, v3 no value.'
    );
    const tooltip = JSON.stringify(vega(spec).marks);
    expect(tooltip).toContain('Details');
    view.finalize();
  });

  it('highlights the lowest loss and starts other axes at zero', async () => {
    const spec = metricBarsSpec({
      metric: 'log_loss',
      bars: [
        { label: 'a', value: 3.2 },
        { label: 'b', value: 2.5 }
      ],
      category: 'Run'
    });
    expect((spec as any).data.values.map((row: any) => row.best)).toEqual([
      false,
      true
    ]);
    const view = await run(spec);
    expect(view.scale('y').domain()[0]).toBe(0);
    view.finalize();
  });
});

describe('scatterSpec and parallelSpec', () => {
  const runs = [
    {
      runId: 'a',
      label: 'A',
      values: { C: '0.1', kernel: 'rbf', accuracy: 0.9 }
    },
    {
      runId: 'b',
      label: 'B',
      values: { C: '1', kernel: 'linear', accuracy: 0.95 }
    },
    {
      runId: 'c',
      label: 'C',
      values: { C: '10', kernel: 'rbf', accuracy: null }
    }
  ];

  it('plots a numeric param against a metric, skipping missing values', async () => {
    const spec = scatterSpec({ runs, x: 'C', y: 'accuracy' }) as any;
    expect(spec.data.values).toEqual([
      { run: 'A', run_id: 'a', x: 0.1, y: 0.9 },
      { run: 'B', run_id: 'b', x: 1, y: 0.95 }
    ]);
    const compiled = vega(spec);
    expect(compiled.scales.find((s: any) => s.name === 'x').type).toBe(
      'linear'
    );
    expect(JSON.stringify(compiled.marks)).toContain('\\"Run\\"');
    const nominal = vega(scatterSpec({ runs, x: 'kernel', y: 'accuracy' }));
    expect(nominal.scales.find((s: any) => s.name === 'x').type).toBe('point');
  });

  it('folds and normalises every dimension to [0, 1]', async () => {
    const spec = parallelSpec({
      runs,
      dimensions: ['C', 'kernel', 'accuracy']
    });
    const transforms = (spec as any).transform.map(
      (t: any) => Object.keys(t)[0]
    );
    expect(transforms).toContain('fold');
    expect(transforms).toContain('joinaggregate');
    const view = await run(themedSpec(spec as any));
    const data = view.data('data_0') as any[];
    const norm = (run: string, dimension: string) =>
      data.find(row => row.run === run && row.dimension === dimension)?.norm;
    expect(norm('A', 'C')).toBe(0);
    expect(norm('C', 'C')).toBe(1);
    expect(norm('B', 'C')).toBeCloseTo(0.9 / 9.9);
    // Categorical: ranks of the sorted values (linear < rbf).
    expect(norm('B', 'kernel')).toBe(0);
    expect(norm('A', 'kernel')).toBe(1);
    // A missing metric draws no point.
    expect(norm('C', 'accuracy')).toBeUndefined();
    expect(
      data.find(row => row.run === 'A' && row.dimension === 'kernel').text
    ).toBe('rbf');
    view.finalize();
  });
});

describe('theme', () => {
  afterEach(() => {
    document.body.removeAttribute('style');
  });

  it('builds the config from JupyterLab CSS variables', () => {
    document.body.style.setProperty('--jp-ui-font-color1', 'rgb(1, 2, 3)');
    document.body.style.setProperty('--jp-ui-font-color2', 'rgb(4, 5, 6)');
    document.body.style.setProperty('--jp-border-color2', 'rgb(7, 8, 9)');
    document.body.style.setProperty('--jp-brand-color1', 'rgb(10, 11, 12)');
    const config = vegaThemeConfig(readThemeValues()) as any;
    expect(config.axis.titleColor).toBe('rgb(1, 2, 3)');
    expect(config.axis.labelColor).toBe('rgb(4, 5, 6)');
    expect(config.axis.gridColor).toBe('rgb(7, 8, 9)');
    expect(config.legend.labelColor).toBe('rgb(4, 5, 6)');
    expect(config.title.color).toBe('rgb(1, 2, 3)');
    expect(config.range.category[0]).toBe('rgb(10, 11, 12)');
    expect(config.line.color).toBe('rgb(10, 11, 12)');
    // Never a fixed white (or black) background.
    expect(config.background).toBe('transparent');
  });

  it('falls back to the light theme values without variables', () => {
    const values = readThemeValues();
    expect(values.fontColor1).toBe(THEME_VARIABLES.fontColor1[1]);
  });

  it('sets the theme colours that specs use in expressions', () => {
    document.body.style.setProperty('--jp-accent-color1', 'rgb(20, 21, 22)');
    const spec = themedSpec(
      metricBarsSpec({
        metric: 'f1',
        bars: [{ label: 'v1', value: 0.5 }]
      }) as any
    );
    const accent = spec.params.find((p: any) => p.name === 'accentColor');
    expect(accent.value).toBe('rgb(20, 21, 22)');
    expect(spec.config.axis.labelColor).toBe(THEME_VARIABLES.fontColor2[1]);
  });
});
