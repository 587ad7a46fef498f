import { copyText } from '../clipboard';

function setClipboard(value: unknown): void {
  Object.defineProperty(navigator, 'clipboard', {
    value,
    configurable: true
  });
}

afterEach(() => {
  setClipboard(undefined);
  jest.restoreAllMocks();
});

describe('copyText', () => {
  it('uses navigator.clipboard.writeText when available', async () => {
    const writeText = jest.fn().mockResolvedValue(undefined);
    setClipboard({ writeText });
    await copyText(Promise.resolve('snippet'));
    expect(writeText).toHaveBeenCalledWith('snippet');
  });

  it('falls back on execCommand when the Clipboard API is refused', async () => {
    setClipboard({
      writeText: jest.fn().mockRejectedValue(new Error('denied'))
    });
    const copied: string[] = [];
    const execCommand = jest.fn(() => {
      const area = document.querySelector('textarea');
      copied.push(area?.value ?? '');
      return true;
    });
    Object.assign(document, { execCommand });
    await copyText('text');
    expect(execCommand).toHaveBeenCalledWith('copy');
    expect(copied).toEqual(['text']);
    expect(document.querySelector('textarea')).toBeNull();
  });

  it('fails when nothing can copy', async () => {
    setClipboard(undefined);
    Object.assign(document, { execCommand: jest.fn(() => false) });
    await expect(copyText('text')).rejects.toThrow(
      'Could not copy to the clipboard.'
    );
  });

  it('rethrows the error of the text', async () => {
    setClipboard({ writeText: jest.fn() });
    await expect(copyText(Promise.reject(new Error('404')))).rejects.toThrow(
      '404'
    );
  });
});
