import type { McpServerSpec } from '@stockpulse/protocols/mcp';
import type { DocumentLibrary } from './documents.js';
import { documentTools } from './tools/documents.js';

export function documentServerSpec(library: DocumentLibrary): McpServerSpec {
  return {
    name: 'stockpulse-qdrant',
    title: 'StockPulse documents',
    version: '0.1.0',
    instructions:
      'Documents with semantic and keyword search: the shared market-news corpus (read-only) and the ' +
      "user's own research and notes (private). Use search_documents first (hybrid by default), then " +
      'get_document for full text. upsert_document and delete_document change only your own documents.',
    tools: documentTools(library),
  };
}
