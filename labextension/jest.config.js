const jestJupyterLab = require('@jupyterlab/testing/lib/jest-config');

// ES modules (in node_modules) that jest must transform.
const esModules = [
  '@codemirror',
  '@jupyter/ydoc',
  '@jupyter/react-components',
  '@jupyter/web-components',
  '@jupyterlab/',
  '@microsoft',
  'exenv-es6',
  'lib0',
  'nanoid',
  'vscode-ws-jsonrpc',
  'y-protocols',
  'y-websocket',
  'yjs',
  // Vega, Vega-Lite, vega-embed and their d3 dependencies ship ES modules only.
  'vega',
  'd3-',
  'delaunator',
  'internmap',
  'robust-predicates',
  'json-stringify-pretty-compact',
  'topojson-client'
].join('|');

const baseConfig = jestJupyterLab(__dirname);

module.exports = {
  ...baseConfig,
  automock: false,
  collectCoverageFrom: [
    'src/**/*.{ts,tsx}',
    '!src/**/*.d.ts',
    '!src/**/.ipynb_checkpoints/*',
    '!src/__tests__/**'
  ],
  coverageReporters: ['lcov', 'text'],
  // No JUnit file nor GitHub annotations: the default reporter only.
  reporters: ['default'],
  // Fail any request that a test forgot to mock.
  setupFiles: [
    ...baseConfig.setupFiles,
    '<rootDir>/src/__tests__/no-network.ts',
    '<rootDir>/src/__tests__/vega-env.ts'
  ],
  testRegex: 'src/.*/.*.spec.ts[x]?$',
  // d3's ES modules are `.mjs` files: babel them like the `.js` ones.
  transform: { ...baseConfig.transform, '^.+\\.mjs$': 'babel-jest' },
  transformIgnorePatterns: [`/node_modules/(?!${esModules}).+`]
};
