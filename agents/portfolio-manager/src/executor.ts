import { AppError, type Logger } from '@stockpulse/core';
import {
  type AgentExecutor,
  dataPart,
  type ExecutionEventBus,
  finishTask,
  partsData,
  principalOf,
  publishArtifact,
  type RequestContext,
  startTask,
  TaskState,
  textPart,
} from '@stockpulse/protocols/a2a';
import { analysePortfolio, type portfolioAnalysisGraph } from './skills/portfolio-analysis.js';

export const SKILLS = { portfolioAnalysis: 'portfolio-analysis' } as const;

/**
 * Runs each A2A turn as one skill. The skill is named in a data part (`{ skill }`, how the
 * user-assistant delegates); without one the default is portfolio analysis. Work runs for the
 * calling user with that user's own delegated token.
 */
export class PortfolioManagerExecutor implements AgentExecutor {
  private readonly running = new Map<string, AbortController>();

  constructor(
    private readonly graph: ReturnType<typeof portfolioAnalysisGraph>,
    private readonly logger: Logger,
  ) {}

  async execute(ctx: RequestContext, bus: ExecutionEventBus): Promise<void> {
    const principal = principalOf(ctx);
    if (!principal.userId || !principal.token)
      throw new AppError('forbidden', 'Portfolio analysis acts for a user');
    const request = (partsData(ctx.userMessage.parts)[0] ?? {}) as { skill?: string; accountId?: string };
    const skill = request.skill ?? SKILLS.portfolioAnalysis;
    if (skill !== SKILLS.portfolioAnalysis) throw new AppError('bad_request', `Unknown skill '${skill}'`);

    const abort = new AbortController();
    this.running.set(ctx.taskId, abort);
    startTask(ctx, bus);
    try {
      const result = await analysePortfolio(this.graph, {
        authorization: `Bearer ${principal.token}`,
        accountId: request.accountId,
        signal: abort.signal,
      });
      publishArtifact(
        ctx,
        bus,
        [textPart(result.text), dataPart({ kind: 'portfolio-valuation', ...result })],
        {
          name: 'portfolio-valuation',
          description: 'Portfolio value, holdings and weights, priced at the latest close',
        },
      );
      finishTask(ctx, bus, TaskState.TASK_STATE_COMPLETED);
      this.logger.info(
        { taskId: ctx.taskId, skill, totalValue: result.valuation.totalValue },
        'skill completed',
      );
    } finally {
      this.running.delete(ctx.taskId);
    }
  }

  async cancelTask(taskId: string, bus: ExecutionEventBus): Promise<void> {
    this.running.get(taskId)?.abort();
    finishTask({ taskId, contextId: '' }, bus, TaskState.TASK_STATE_CANCELED);
  }
}
