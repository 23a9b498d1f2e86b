export * from './analytics/index.js';
export * from './errors.js';
export * from './indicators/index.js';
