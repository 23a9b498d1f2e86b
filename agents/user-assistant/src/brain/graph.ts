import { randomUUID } from 'node:crypto';
import { Annotation, END, START, StateGraph } from '@langchain/langgraph';
import { AppError } from '@stockpulse/core';
import type { PortfolioValuation } from '@stockpulse/domain';
import type { Delegator } from '../delegate.js';
import type { AlertInbox } from '../inbox.js';
import type { Conversation, ConversationStore, PendingOrder } from '../memory.js';
import { type Intent, recognize } from './intents.js';
import {
  CAPABILITIES,
  confirmPrompt,
  GREETING,
  holdingsReply,
  NOTHING_PENDING,
  PREVIEW_EXPIRED,
  unsupported,
} from './replies.js';

export interface PortfolioAnswer {
  kind: 'portfolio-valuation';
  accountId: string;
  accountName: string;
  valuation: PortfolioValuation;
}

/** The portfolio-manager's answer to an order preview (skill `order-planning`, action `preview`). */
interface OrderPreviewAnswer {
  kind: 'order-preview';
  request: Record<string, unknown>;
  summary: string;
  confirmation: { token: string; expiresAt: string } | null;
}

type AnswerData = { kind: string } & Record<string, unknown>;

const State = Annotation.Root({
  text: Annotation<string>(),
  authorization: Annotation<string>(),
  threadId: Annotation<string>(),
  intent: Annotation<Intent | undefined>(),
  /** Memory of the conversation, loaded only for turns that need it (orders awaiting confirmation). */
  conversation: Annotation<Conversation | undefined>(),
  /** What to remember after this turn; undefined leaves memory as it was. */
  toRemember: Annotation<Conversation | undefined>(),
  portfolio: Annotation<PortfolioAnswer | undefined>(),
  /** The specialist's structured answer (its first data part with a `kind`). */
  answerData: Annotation<AnswerData | undefined>(),
  specialistText: Annotation<string | undefined>(),
  /** Why the specialist could not answer (no agent with the skill, unreachable, timed out). */
  unavailable: Annotation<string | undefined>(),
  /** A reply decided without the specialist (nothing to confirm, an expired preview). */
  direct: Annotation<string | undefined>(),
  reply: Annotation<string>(),
  /** Alerts that fired since the last turn, told before the answer. */
  alerts: Annotation<string[]>(),
  awaitingConfirmation: Annotation<boolean>(),
});
type TurnState = typeof State.State;

const NEEDS_MEMORY = new Set<Intent['kind']>(['trade', 'confirm', 'reject']);

/** Which specialist skill a turn needs, with the arguments for the delegation's data part. */
export function delegationFor(
  intent: Intent,
  conversation: Conversation = {},
): { skill: string; data: Record<string, unknown> } | undefined {
  switch (intent.kind) {
    case 'portfolio_value':
    case 'holdings':
      return { skill: 'portfolio-analysis', data: {} };
    case 'risk':
      return { skill: 'risk-analysis', data: intent.theme ? { theme: intent.theme } : {} };
    case 'market':
      return { skill: 'market-analysis', data: { symbol: intent.symbol } };
    case 'rebalance':
      return { skill: 'rebalancing', data: {} };
    case 'orders':
      return { skill: 'order-planning', data: { action: 'list' } };
    case 'create_alert':
      return { skill: 'alerts', data: { action: 'create', alert: intent.alert } };
    case 'alerts':
      return { skill: 'alerts', data: { action: 'list' } };
    case 'backtest':
      return {
        skill: 'backtesting',
        data: { action: 'run', strategy: intent.strategy, symbols: intent.symbols },
      };
    case 'backtests':
      return { skill: 'backtesting', data: { action: 'list' } };
    case 'trade':
      // A fresh idempotency key per preview: confirming it (even twice) places one order.
      return {
        skill: 'order-planning',
        data: { action: 'preview', order: { ...intent.order, clientOrderId: `sp-${randomUUID()}` } },
      };
    case 'confirm': {
      const pending = conversation.pendingOrder;
      if (!pending || Date.parse(pending.expiresAt) <= Date.now()) return undefined;
      return {
        skill: 'order-planning',
        data: { action: 'place', order: pending.request, confirmationToken: pending.confirmationToken },
      };
    }
    default:
      return undefined;
  }
}

const afterUnderstand = (s: TurnState) =>
  NEEDS_MEMORY.has(s.intent!.kind) ? 'recall' : delegationFor(s.intent!) ? 'askPortfolioManager' : 'respond';
const afterRecall = (s: TurnState) =>
  delegationFor(s.intent!, s.conversation) ? 'askPortfolioManager' : 'respond';
const afterRespond = (s: TurnState) => (s.toRemember ? 'remember' : END);

/**
 * One conversational turn: understand the request, recall the conversation when it matters (an order
 * awaiting confirmation), delegate to the specialist with the skill (found through the registry),
 * phrase the answer and remember what the next turn needs. Node names are what the UI shows as steps.
 */
export function assistantGraph(delegator: Delegator, memory: ConversationStore, inbox?: AlertInbox) {
  return new StateGraph(State)
    .addNode('understand', async (s) => ({ intent: recognize(s.text) }))
    .addNode('recall', async (s) => ({ conversation: await memory.load(s.threadId, s.authorization) }))
    .addNode('askPortfolioManager', async (s, config) => {
      const { skill, data } = delegationFor(s.intent!, s.conversation)!;
      let answer: Awaited<ReturnType<Delegator['delegate']>>;
      try {
        answer = await delegator.delegate(skill, s.text, {
          authorization: s.authorization,
          data,
          signal: config.signal,
        });
      } catch (e) {
        // Say plainly that the specialist is not there, instead of failing the whole turn.
        if (e instanceof AppError && (e.code === 'unavailable' || e.code === 'timeout'))
          return { unavailable: e.message };
        if (e instanceof AppError && e.code === 'forbidden' && skill === 'order-planning')
          return { direct: `I can't trade with this credential: ${e.message}` };
        throw e;
      }
      const answerData = answer.data.find(
        (d): d is AnswerData =>
          typeof d === 'object' && d !== null && typeof (d as { kind?: unknown }).kind === 'string',
      );
      const portfolio =
        answerData?.kind === 'portfolio-valuation' ? (answerData as unknown as PortfolioAnswer) : undefined;
      return { portfolio, answerData, specialistText: answer.text };
    })
    .addNode('respond', async (s, config) => {
      const out = respond(s);
      if (!inbox) return out;
      const { lines, ack } = await inbox.take(s.authorization, config.signal);
      if (lines.length === 0) return out;
      await ack();
      return { ...out, alerts: lines, reply: `${lines.join('\n')}\n\n${out.reply}` };
    })
    .addNode('remember', async (s) => {
      await memory.save(s.threadId, s.authorization, s.toRemember!);
      return {};
    })
    .addEdge(START, 'understand')
    .addConditionalEdges('understand', afterUnderstand, ['recall', 'askPortfolioManager', 'respond'])
    .addConditionalEdges('recall', afterRecall, ['askPortfolioManager', 'respond'])
    .addEdge('askPortfolioManager', 'respond')
    .addConditionalEdges('respond', afterRespond, ['remember', END])
    .addEdge('remember', END)
    .compile();
}

function respond(s: TurnState): Partial<TurnState> {
  const intent = s.intent!;
  if (s.unavailable) return { reply: `I can't reach the portfolio manager right now: ${s.unavailable}` };
  if (s.direct) return { reply: s.direct };
  switch (intent.kind) {
    case 'trade': {
      const preview =
        s.answerData?.kind === 'order-preview' ? (s.answerData as unknown as OrderPreviewAnswer) : undefined;
      const text = s.specialistText ?? 'The portfolio manager returned no preview.';
      if (!preview?.confirmation)
        return { reply: text, toRemember: s.conversation?.pendingOrder ? {} : undefined };
      const pendingOrder: PendingOrder = {
        request: preview.request,
        confirmationToken: preview.confirmation.token,
        expiresAt: preview.confirmation.expiresAt,
        summary: preview.summary,
      };
      return {
        reply: `${text}\n\n${confirmPrompt(pendingOrder.expiresAt)}`,
        toRemember: { pendingOrder },
        awaitingConfirmation: true,
      };
    }
    case 'confirm': {
      const pending = s.conversation?.pendingOrder;
      if (!pending) return { reply: NOTHING_PENDING };
      if (!s.answerData) return { reply: PREVIEW_EXPIRED(pending.summary), toRemember: {} };
      return { reply: s.specialistText ?? 'The order was sent.', toRemember: {} };
    }
    case 'reject': {
      const pending = s.conversation?.pendingOrder;
      if (!pending) return { reply: NOTHING_PENDING };
      return { reply: `OK, I won't place it: ${pending.summary} was not sent.`, toRemember: {} };
    }
    case 'holdings':
      return { reply: s.portfolio ? holdingsReply(s.portfolio.valuation) : (s.specialistText ?? '') };
    case 'portfolio_value':
    case 'risk':
    case 'market':
    case 'rebalance':
    case 'orders':
    case 'create_alert':
    case 'alerts':
    case 'backtest':
    case 'backtests':
      return { reply: s.specialistText ?? 'The portfolio manager returned no answer.' };
    case 'unknown_symbol':
      return {
        reply: `I don't know the symbol ${intent.name}. I cover the S&P 500; try a ticker like AAPL or a name like Apple.`,
      };
    case 'greeting':
      return { reply: GREETING };
    case 'help':
      return { reply: CAPABILITIES };
    case 'unsupported':
      return { reply: unsupported(intent.text) };
  }
}

export type AssistantGraph = ReturnType<typeof assistantGraph>;

export interface TurnResult {
  text: string;
  intent: Intent['kind'];
  portfolio?: PortfolioAnswer;
  data?: AnswerData;
  /** The reply is an order preview waiting for the person's "confirm". */
  awaitingConfirmation: boolean;
}

const NEXT: Record<string, (s: TurnState) => string> = {
  understand: afterUnderstand,
  recall: afterRecall,
  askPortfolioManager: () => 'respond',
  respond: afterRespond,
};

/** Run one turn, reporting each graph step as it starts and finishes. */
export async function runTurn(
  graph: AssistantGraph,
  input: { text: string; authorization: string; threadId: string; signal?: AbortSignal },
  onStep: (step: string, phase: 'started' | 'finished') => void = () => {},
): Promise<TurnResult> {
  let state: Partial<TurnState> = {};
  onStep('understand', 'started');
  const stream = await graph.stream(
    {
      text: input.text,
      authorization: input.authorization,
      threadId: input.threadId,
      awaitingConfirmation: false,
    },
    { streamMode: 'updates', signal: input.signal },
  );
  for await (const update of stream) {
    for (const [node, patch] of Object.entries(update as Record<string, Partial<TurnState> | null>)) {
      onStep(node, 'finished');
      state = { ...state, ...(patch ?? {}) };
      const next = NEXT[node]?.(state as TurnState);
      if (next && next !== END) onStep(next, 'started');
    }
  }
  return {
    text: state.reply ?? '',
    intent: state.intent!.kind,
    portfolio: state.portfolio,
    data: state.answerData,
    awaitingConfirmation: state.awaitingConfirmation ?? false,
  };
}
