export * from './accounting/index.js';
export * from './analytics/index.js';
export * from './errors.js';
export * from './indicators/index.js';
export * from './portfolio/index.js';
