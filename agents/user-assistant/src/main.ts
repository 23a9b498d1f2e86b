import { runAgentService } from '@stockpulse/protocols/runtime';
import { mountAgui } from './agui.js';
import { assistantGraph } from './brain/graph.js';
import { userAssistantCard } from './card.js';
import { Delegator } from './delegate.js';
import { UserAssistantExecutor } from './executor.js';

await runAgentService(
  'user-assistant',
  (config) => config.services.userAssistant,
  async ({ logger, registry, verify }) => {
    const graph = assistantGraph(new Delegator(registry, logger));
    return {
      executor: new UserAssistantExecutor(graph),
      card: userAssistantCard,
      routes: (app) => mountAgui(app, { graph, verify, logger }),
    };
  },
);
