import type { McpServerSpec } from '@stockpulse/protocols/mcp';
import type { AuthService } from './auth-service.js';
import { authTools } from './tools/auth-tools.js';

export function authServerSpec(auth: AuthService): McpServerSpec {
  return {
    name: 'stockpulse-auth',
    title: 'StockPulse identity',
    version: '0.1.0',
    instructions:
      'Identity for StockPulse: who the caller is, what it may do, and API keys. Login and refresh are for ' +
      'StockPulse services acting for people who are not yet authenticated.',
    tools: authTools(auth),
  };
}
