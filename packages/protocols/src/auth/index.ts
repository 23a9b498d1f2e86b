export * from './principal.js';
export * from './service-token.js';
export * from './verifier.js';
