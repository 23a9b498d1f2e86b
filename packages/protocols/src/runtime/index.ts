export * from './introspect.js';
export * from './mcp-service.js';
