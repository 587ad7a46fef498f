import { VersionComparison } from '../api';
import {
  comparisonCSV,
  csvField,
  csvFileName,
  downloadText
} from '../compare/csv';

describe('csvField', () => {
  it('leaves plain values alone', () => {
    expect(csvField('champion')).toBe('champion');
    expect(csvField(0.95)).toBe('0.95');
    expect(csvField(0)).toBe('0');
  });

  it('quotes commas, quotes and line breaks', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\r')).toBe('"cr\r"');
  });

  it('writes missing values as empty fields', () => {
    expect(csvField(null)).toBe('');
    expect(csvField(undefined)).toBe('');
    expect(csvField(NaN)).toBe('');
  });
});

describe('comparisonCSV', () => {
  const comparison: Pick<VersionComparison, 'versions'> = {
    versions: [
      {
        version: '1',
        aliases: [],
        creation_timestamp: 0,
        run_id: 'r1',
        features: null,
        metrics: { accuracy: 0.9, 'loss,val': null }
      },
      {
        version: '2',
        aliases: ['champion', 'prod"x'],
        creation_timestamp: 0,
        run_id: null,
        features: null,
        metrics: { accuracy: 0.95, 'loss,val': 0.1 }
      },
      {
        version: '3',
        aliases: ['challenger'],
        creation_timestamp: 0,
        run_id: null,
        features: null,
        metrics: {}
      }
    ]
  };

  it('writes the header, then one row per version', () => {
    expect(comparisonCSV(comparison, ['accuracy', 'loss,val'])).toBe(
      [
        'version,aliases,accuracy,"loss,val"',
        '1,,0.9,',
        '2,"champion prod""x",0.95,0.1',
        '3,challenger,,',
        ''
      ].join('\n')
    );
  });

  it('writes only the header columns when no metric is chosen', () => {
    expect(comparisonCSV({ versions: [] }, [])).toBe('version,aliases\n');
  });

  it('names the file after the model', () => {
    expect(csvFileName('iris-classifier')).toBe('iris-classifier-versions.csv');
  });
});

describe('downloadText', () => {
  it('clicks a link to an object URL with the file name', () => {
    const created: Blob[] = [];
    const createObjectURL = jest.fn((blob: Blob) => {
      created.push(blob);
      return 'blob:test';
    });
    const revokeObjectURL = jest.fn();
    Object.assign(URL, { createObjectURL, revokeObjectURL });
    const clicked: HTMLAnchorElement[] = [];
    const click = jest
      .spyOn(HTMLAnchorElement.prototype, 'click')
      .mockImplementation(function (this: HTMLAnchorElement) {
        clicked.push(this);
      });
    jest.useFakeTimers();
    try {
      downloadText('a,b\n', 'm-versions.csv');
      expect(created).toHaveLength(1);
      expect(created[0].type).toBe('text/csv;charset=utf-8');
      expect(clicked).toHaveLength(1);
      expect(clicked[0].download).toBe('m-versions.csv');
      expect(clicked[0].href).toBe('blob:test');
      expect(document.body.contains(clicked[0])).toBe(false);
      jest.runAllTimers();
      expect(revokeObjectURL).toHaveBeenCalledWith('blob:test');
    } finally {
      jest.useRealTimers();
      click.mockRestore();
    }
  });
});
