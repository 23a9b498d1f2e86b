import { runAgentService } from '@stockpulse/protocols/runtime';
import { portfolioManagerCard } from './card.js';
import { PortfolioManagerExecutor } from './executor.js';
import { portfolioAnalysisGraph } from './skills/portfolio-analysis.js';
import { connectDataPlane } from './tools.js';

await runAgentService(
  'portfolio-manager',
  (config) => config.services.portfolioManager,
  async ({ config, logger, serviceTokens }) => {
    const data = connectDataPlane(config, () => serviceTokens.authorization());
    return {
      executor: new PortfolioManagerExecutor(portfolioAnalysisGraph(data), data, logger),
      card: portfolioManagerCard,
      close: () => data.close(),
    };
  },
);
