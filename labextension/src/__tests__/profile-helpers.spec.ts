import {
  fileName,
  formatBytes,
  formatCount,
  formatPercent,
  isProfilablePath,
  loadingText,
  profileWidgetId,
  sampleNote,
  uniqueId
} from '../profile/helpers';

describe('isProfilablePath', () => {
  it.each([
    'iris.csv',
    'data/iris.CSV',
    'a/b/c.tsv',
    'sales.parquet',
    'sales.Parquet',
    'x.pq',
    'dir with space/ünïcode.PQ'
  ])('accepts %s', path => {
    expect(isProfilablePath(path)).toBe(true);
  });

  it.each([
    'notes.txt',
    'data.csv.gz',
    'notebook.ipynb',
    'csv',
    '.csv',
    'data/.parquet',
    'data.csv/',
    'parquet',
    ''
  ])('rejects %s', path => {
    expect(isProfilablePath(path)).toBe(false);
  });

  it('rejects missing values', () => {
    expect(isProfilablePath(undefined)).toBe(false);
    expect(isProfilablePath(null)).toBe(false);
  });
});

describe('fileName', () => {
  it('keeps the last segment', () => {
    expect(fileName('data/iris.csv')).toBe('iris.csv');
    expect(fileName('iris.csv')).toBe('iris.csv');
    expect(fileName('a/b/')).toBe('b');
  });
});

describe('profileWidgetId', () => {
  it('sanitises the path', () => {
    expect(profileWidgetId('data/iris.csv')).toBe(
      'maestro-profile-data-iris-csv'
    );
    expect(profileWidgetId('my data/a b#1.parquet')).toBe(
      'maestro-profile-my-data-a-b-1-parquet'
    );
    expect(profileWidgetId('x_y-z.pq')).toBe('maestro-profile-x_y-z-pq');
  });
});

describe('uniqueId', () => {
  it('adds a counter to a taken id', () => {
    expect(uniqueId('a', () => false)).toBe('a');
    const taken = new Set(['a', 'a-2']);
    expect(uniqueId('a', id => taken.has(id))).toBe('a-3');
  });
});

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [512, '512 B'],
    [1023, '1023 B'],
    [1024, '1 KiB'],
    [1536, '1.5 KiB'],
    [4600, '4.49 KiB'],
    [12.5 * 1024 * 1024, '12.5 MiB'],
    [300 * 1024 * 1024, '300 MiB'],
    [1024 * 1024 - 1, '1 MiB'],
    [1.25 * 1024 ** 3, '1.25 GiB'],
    [2 * 1024 ** 4, '2 TiB']
  ])('formats %d bytes as %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  it('shows a dash for invalid sizes', () => {
    expect(formatBytes(-1)).toBe('—');
    expect(formatBytes(NaN)).toBe('—');
    expect(formatBytes(null)).toBe('—');
  });
});

describe('formatPercent and formatCount', () => {
  it('formats shares', () => {
    expect(formatPercent(0)).toBe('0%');
    expect(formatPercent(0.123)).toBe('12.3%');
    expect(formatPercent(1)).toBe('100%');
    expect(formatPercent(0.0001)).toBe('<0.1%');
    expect(formatPercent(undefined)).toBe('—');
  });

  it('formats counts with separators', () => {
    expect(formatCount(569)).toBe('569');
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatCount(null)).toBe('—');
  });
});

describe('sampleNote', () => {
  it('describes a sampled report', () => {
    expect(sampleNote(10000, 250000)).toBe(
      'Report on a random sample of 10,000 of 250,000 rows'
    );
  });

  it('is null when the report covers every row or is unknown', () => {
    expect(sampleNote(569, 569)).toBeNull();
    expect(sampleNote(null, 569)).toBeNull();
    expect(sampleNote(undefined, undefined)).toBeNull();
  });
});

describe('loadingText', () => {
  it('names the file and warns about sampling', () => {
    expect(loadingText('data/big.parquet')).toBe(
      'Profiling big.parquet… (large files are sampled for the report)'
    );
  });
});
