import { AppError, type Logger } from '@stockpulse/core';
import {
  type AgentExecutor,
  dataPart,
  type ExecutionEventBus,
  finishTask,
  partsData,
  partsText,
  principalOf,
  publishArtifact,
  type RequestContext,
  startTask,
  TaskState,
  textPart,
} from '@stockpulse/protocols/a2a';
import { z } from 'zod';
import { alertsRequestSchema, manageAlerts } from './skills/alerts.js';
import { backtest, backtestRequestSchema } from './skills/backtesting.js';
import type { SkillContext } from './skills/context.js';
import { SKILLS, type SkillId, skillForText } from './skills/index.js';
import { analyseMarket } from './skills/market-analysis.js';
import { orderPlanningSchema, planOrder } from './skills/order-planning.js';
import { analysePortfolio, type portfolioAnalysisGraph } from './skills/portfolio-analysis.js';
import { proposeRebalance, rebalanceRequestSchema } from './skills/rebalancing.js';
import { analyseRisk, themeSchema } from './skills/risk-analysis.js';
import type { DataPlane } from './tools.js';

export { SKILLS };

const requestSchema = z.object({
  skill: z.enum(Object.values(SKILLS) as [SkillId, ...SkillId[]]).optional(),
  accountId: z.string().uuid().optional(),
  symbol: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-Z][A-Z0-9.-]{0,9}$/)
    .optional(),
  theme: themeSchema.optional(),
  targets: rebalanceRequestSchema.shape.targets,
  cashBuffer: z.number().min(0).max(0.5).optional(),
});

interface SkillResult {
  text: string;
  data: { kind: string };
  name: string;
  description: string;
}

/**
 * Runs each A2A turn as one skill. The skill is named in a data part (`{ skill, ...arguments }`, how
 * the user-assistant delegates); a text-only request is routed by `skillForText`. Work runs for the
 * calling user with that user's own delegated token, and cancelling the task aborts its tool calls.
 */
export class PortfolioManagerExecutor implements AgentExecutor {
  private readonly running = new Map<string, AbortController>();

  constructor(
    private readonly graph: ReturnType<typeof portfolioAnalysisGraph>,
    private readonly data: DataPlane,
    private readonly logger: Logger,
  ) {}

  async execute(ctx: RequestContext, bus: ExecutionEventBus): Promise<void> {
    const principal = principalOf(ctx);
    if (!principal.userId || !principal.token)
      throw new AppError('forbidden', 'The portfolio manager acts for a user');
    const raw = partsData(ctx.userMessage.parts)[0] ?? {};
    const parsed = requestSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new AppError(
        'bad_request',
        `Invalid skill request: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`,
      );
    }
    const fromText = parsed.data.skill ? undefined : skillForText(partsText(ctx.userMessage.parts));
    const request = {
      ...parsed.data,
      skill: parsed.data.skill ?? fromText!.skill,
      symbol: parsed.data.symbol ?? fromText?.symbol,
    };

    const abort = new AbortController();
    this.running.set(ctx.taskId, abort);
    startTask(ctx, bus);
    try {
      const skillCtx: SkillContext = {
        data: this.data,
        authorization: `Bearer ${principal.token}`,
        signal: abort.signal,
      };
      const result = await this.run(request, skillCtx, raw);
      publishArtifact(ctx, bus, [textPart(result.text), dataPart(result.data)], {
        name: result.name,
        description: result.description,
      });
      finishTask(ctx, bus, TaskState.TASK_STATE_COMPLETED);
      this.logger.info({ taskId: ctx.taskId, skill: request.skill }, 'skill completed');
    } finally {
      this.running.delete(ctx.taskId);
    }
  }

  private async run(
    request: z.infer<typeof requestSchema> & { skill: SkillId },
    ctx: SkillContext,
    raw: unknown,
  ): Promise<SkillResult> {
    const valuation = async () =>
      analysePortfolio(this.graph, {
        authorization: ctx.authorization,
        accountId: request.accountId,
        signal: ctx.signal,
      });
    switch (request.skill) {
      case SKILLS.portfolioAnalysis: {
        const result = await valuation();
        return {
          text: result.text,
          data: { kind: 'portfolio-valuation', ...result },
          name: 'portfolio-valuation',
          description: 'Portfolio value, holdings and weights, priced at the latest close',
        };
      }
      case SKILLS.riskAnalysis: {
        const report = await analyseRisk(ctx, (await valuation()).valuation, request.theme);
        return {
          text: report.text,
          data: report,
          name: 'risk-report',
          description: 'Exposure, concentration and risk of the portfolio',
        };
      }
      case SKILLS.marketAnalysis: {
        if (!request.symbol) throw new AppError('bad_request', 'Market analysis needs a symbol, e.g. NVDA');
        const analysis = await analyseMarket(ctx, request.symbol);
        return {
          text: analysis.text,
          data: analysis,
          name: 'market-analysis',
          description: `How ${analysis.symbol} moved and why`,
        };
      }
      case SKILLS.orderPlanning: {
        const parsed = orderPlanningSchema.safeParse(raw);
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          throw new AppError(
            'bad_request',
            `Invalid order request: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`,
          );
        }
        const result = await planOrder(ctx, parsed.data);
        return { ...result, name: result.data.kind, description: 'Order preview, placement or list' };
      }
      case SKILLS.backtesting: {
        const parsed = backtestRequestSchema.safeParse(raw);
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          throw new AppError(
            'bad_request',
            `Invalid backtest request: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`,
          );
        }
        const result = await backtest(ctx, parsed.data);
        return { ...result, name: result.data.kind, description: 'Backtest result (stored) or list' };
      }
      case SKILLS.alerts: {
        const parsed = alertsRequestSchema.safeParse(raw);
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          throw new AppError(
            'bad_request',
            `Invalid alert request: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`,
          );
        }
        const result = await manageAlerts(ctx, parsed.data);
        return { ...result, name: result.data.kind, description: 'Price alerts' };
      }
      case SKILLS.rebalancing: {
        const plan = proposeRebalance((await valuation()).valuation, rebalanceRequestSchema.parse(request));
        return {
          text: plan.text,
          data: plan,
          name: 'rebalance-plan',
          description: 'Trades to reach the target weights (not placed)',
        };
      }
    }
  }

  async cancelTask(taskId: string, bus: ExecutionEventBus): Promise<void> {
    this.running.get(taskId)?.abort();
    finishTask({ taskId, contextId: '' }, bus, TaskState.TASK_STATE_CANCELED);
  }
}
