import { connectMcp } from '@stockpulse/protocols/mcp';
import { runAgentService } from '@stockpulse/protocols/runtime';
import { mountAgui } from './agui.js';
import { assistantGraph } from './brain/graph.js';
import { userAssistantCard } from './card.js';
import { Delegator } from './delegate.js';
import { UserAssistantExecutor } from './executor.js';
import { StreamAlertInbox } from './inbox.js';
import { McpConversationStore } from './memory.js';

await runAgentService(
  'user-assistant',
  (config) => config.services.userAssistant,
  async ({ config, logger, registry, verify, serviceTokens }) => {
    // Conversation memory lives in the ledger: any replica continues any conversation.
    const ledger = connectMcp(config.mcp.postgres.url, {
      name: 'user-assistant',
      sessionAuthorization: () => serviceTokens.authorization(),
    });
    const redis = connectMcp(config.mcp.redis.url, {
      name: 'user-assistant',
      sessionAuthorization: () => serviceTokens.authorization(),
    });
    const graph = assistantGraph(
      new Delegator(registry, logger),
      new McpConversationStore(ledger),
      new StreamAlertInbox(redis, logger),
    );
    return {
      executor: new UserAssistantExecutor(graph),
      card: userAssistantCard,
      routes: (app) => mountAgui(app, { graph, verify, logger }),
      close: async () => {
        await Promise.all([ledger.close(), redis.close()]);
      },
    };
  },
);
