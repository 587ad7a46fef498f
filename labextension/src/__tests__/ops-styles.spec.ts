/**
 * The stylesheets of the jobs, deployments, budgets and tab views, read as text (jsdom applies no CSS): the rules
 * that a layout or a size depends on.
 */
import * as fs from 'fs';
import * as path from 'path';

const STYLE = path.resolve(__dirname, '../../style');

/** The rules of a stylesheet: selector text and declarations, comments dropped. */
function rules(file: string): { selector: string; body: string }[] {
  const text = fs
    .readFileSync(path.join(STYLE, file), 'utf-8')
    .replace(/\/\*[\s\S]*?\*\//g, '');
  return [...text.matchAll(/([^{}]+)\{([^{}]*)\}/g)].map(match => ({
    selector: match[1].trim().replace(/\s+/g, ' '),
    body: match[2]
  }));
}

describe('budget form styles', () => {
  it('sets the form, its inputs, selects and buttons at the normal UI size', () => {
    const form = rules('budgets.css').filter(rule =>
      /maestro-budget-(form|input)\b/.test(rule.selector)
    );
    const sized = form.filter(rule => /font-size/.test(rule.body));
    expect(sized.length).toBeGreaterThanOrEqual(3);
    for (const rule of sized) {
      expect([rule.selector, rule.body.match(/font-size:[^;]+/)?.[0]]).toEqual([
        rule.selector,
        'font-size: var(--jp-ui-font-size1)'
      ]);
    }
    const selectors = sized.map(rule => rule.selector).join(',');
    expect(selectors).toContain('.maestro-budget-form .maestro-select');
    expect(selectors).toContain('.maestro-budget-form .maestro-action');
    expect(selectors).toContain('.maestro-budget-input');
  });
});

describe('tab and view styles', () => {
  it('hides the labels of the icon tabs only visually when the bar is compact', () => {
    const compact = rules('tabs.css').find(rule =>
      rule.selector.includes(
        '.maestro-mod-compact .maestro-tab.maestro-mod-icon .maestro-tab-label'
      )
    );
    expect(compact?.body).toContain('clip: rect(0, 0, 0, 0)');
    expect(compact?.body).not.toContain('display: none');
  });

  it('gives framed documents no fixed white background', () => {
    for (const file of ['base.css', 'document-frame.css']) {
      const frames = rules(file).filter(rule =>
        /maestro-(card-frame|profile-report|document-frame)\b/.test(
          rule.selector
        )
      );
      for (const rule of frames) {
        expect(rule.body).not.toMatch(/#fff\b|white/i);
      }
    }
  });

  it('imports the new stylesheets', () => {
    const index = fs.readFileSync(path.join(STYLE, 'index.css'), 'utf-8');
    const js = fs.readFileSync(path.join(STYLE, 'index.js'), 'utf-8');
    for (const file of ['tabs.css', 'document-frame.css']) {
      expect(index).toContain(`@import url('${file}');`);
      expect(js).toContain(`import './${file}';`);
    }
  });
});
