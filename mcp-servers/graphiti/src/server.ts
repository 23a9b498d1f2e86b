import type { McpServerSpec } from '@stockpulse/protocols/mcp';
import type { GraphStore } from './store/graph.js';
import { graphTools } from './tools/graph.js';

export function graphServerSpec(store: GraphStore): McpServerSpec {
  return {
    name: 'stockpulse-graphiti',
    title: 'StockPulse knowledge graph',
    version: '0.1.0',
    instructions:
      'A temporal knowledge graph: the public market graph (S&P 500 company → GICS sub-industry → sector, ' +
      'plus well-known supplier, customer and competitor relations) and the caller’s own memory. Facts carry ' +
      'validAt/invalidAt (true in the world) and createdAt/expiredAt (known to the graph); pass asOf to read ' +
      'the graph at an instant. Use search_facts for questions, get_entity / get_neighbourhood to explore, ' +
      'add_episode to remember something about the user.',
    tools: graphTools(store),
  };
}
