export * from './client.js';
export { rememberVerifiedCredentials, type VerifiedCredentialCacheOptions } from './credential-cache.js';
export * from './define.js';
export { appErrorFromToolResult, toolErrorResult } from './errors.js';
export { BoundedEventStore } from './event-store.js';
export * from './http.js';
export * from './server.js';
export * from './stdio.js';
export { ResourceSubscriptions, type StopWatching } from './subscriptions.js';
