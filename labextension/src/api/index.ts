/**
 * The Maestro REST client: one request function (`request.ts`), one module
 * per resource, and the contract's types (`types.ts`, generated from the
 * server's OpenAPI document). Import from here: tests mock this module.
 */
export * from './request';
export * from './types';
export * from './budgets';
export * from './cards';
export * from './costs';
export * from './data';
export * from './deployments';
export * from './experiments';
export * from './featurestore';
export * from './meta';
export * from './models';
export * from './tests';
export * from './training';
