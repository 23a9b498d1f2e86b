export * from './client.js';
export * from './discover.js';
export * from './keep-registered.js';
export * from './schema.js';
