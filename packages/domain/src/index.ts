export * from './calendar.js';
export * from './demo.js';
export * from './money.js';
export * from './random.js';
export * from './simulator.js';
export * from './universe.js';
export * from './valuation.js';
