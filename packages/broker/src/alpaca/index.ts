export * from './broker.js';
export * from './config.js';
export { alpacaError, retryAfterSeconds } from './http.js';
export * from './mapping.js';
