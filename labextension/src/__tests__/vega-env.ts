/**
 * Jest setup (jsdom) for the specs that run Vega, Vega-Lite and vega-embed
 * for real: jsdom has neither `structuredClone` (Vega-Lite copies specs with
 * it) nor a canvas (Vega then estimates text widths, as in a headless
 * browser without fonts), and says so loudly on every `getContext` call.
 */
import { deserialize, serialize } from 'v8';

if (typeof globalThis.structuredClone !== 'function') {
  globalThis.structuredClone = (<T>(value: T): T =>
    deserialize(serialize(value))) as typeof structuredClone;
}

if (typeof HTMLCanvasElement !== 'undefined') {
  HTMLCanvasElement.prototype.getContext = (() =>
    null) as typeof HTMLCanvasElement.prototype.getContext;
}
