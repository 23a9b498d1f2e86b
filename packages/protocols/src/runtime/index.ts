export * from './agent-service.js';
export * from './introspect.js';
export * from './mcp-service.js';
