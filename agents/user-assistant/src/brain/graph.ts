import { Annotation, END, START, StateGraph } from '@langchain/langgraph';
import { AppError } from '@stockpulse/core';
import type { PortfolioValuation } from '@stockpulse/domain';
import type { Delegator } from '../delegate.js';
import { type Intent, recognize } from './intents.js';
import { CAPABILITIES, GREETING, holdingsReply, TRADING_UNAVAILABLE, unsupported } from './replies.js';

export interface PortfolioAnswer {
  kind: 'portfolio-valuation';
  accountId: string;
  accountName: string;
  valuation: PortfolioValuation;
}

const State = Annotation.Root({
  text: Annotation<string>(),
  authorization: Annotation<string>(),
  intent: Annotation<Intent | undefined>(),
  portfolio: Annotation<PortfolioAnswer | undefined>(),
  /** The specialist's structured answer (its first data part with a `kind`). */
  answerData: Annotation<{ kind: string } | undefined>(),
  specialistText: Annotation<string | undefined>(),
  /** Why the specialist could not answer (no agent with the skill, unreachable, timed out). */
  unavailable: Annotation<string | undefined>(),
  reply: Annotation<string>(),
});

/** Which specialist skill an intent needs, with the arguments to send in the delegation's data part. */
export function delegationFor(intent: Intent): { skill: string; data: Record<string, unknown> } | undefined {
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
    default:
      return undefined;
  }
}

/**
 * One conversational turn: understand the request, delegate it to the specialist that has the skill
 * (found through the registry), and phrase the answer. Node names are what the UI shows as steps.
 */
export function assistantGraph(delegator: Delegator) {
  return new StateGraph(State)
    .addNode('understand', async (s) => ({ intent: recognize(s.text) }))
    .addNode('askPortfolioManager', async (s, config) => {
      let answer: Awaited<ReturnType<Delegator['delegate']>>;
      try {
        const { skill, data } = delegationFor(s.intent!)!;
        answer = await delegator.delegate(skill, s.text, {
          authorization: s.authorization,
          data,
          signal: config.signal,
        });
      } catch (e) {
        // Say plainly that the specialist is not there, instead of failing the whole turn.
        if (e instanceof AppError && (e.code === 'unavailable' || e.code === 'timeout'))
          return { unavailable: e.message };
        throw e;
      }
      const answerData = answer.data.find(
        (d): d is { kind: string } =>
          typeof d === 'object' && d !== null && typeof (d as { kind?: unknown }).kind === 'string',
      );
      const portfolio =
        answerData?.kind === 'portfolio-valuation' ? (answerData as PortfolioAnswer) : undefined;
      return { portfolio, answerData, specialistText: answer.text };
    })
    .addNode('respond', async (s) => ({
      reply: s.unavailable
        ? `I can't reach the portfolio manager right now: ${s.unavailable}`
        : phrase(s.intent!, s.portfolio, s.specialistText),
    }))
    .addEdge(START, 'understand')
    .addConditionalEdges(
      'understand',
      (s) => (delegationFor(s.intent!) ? 'askPortfolioManager' : 'respond'),
      ['askPortfolioManager', 'respond'],
    )
    .addEdge('askPortfolioManager', 'respond')
    .addEdge('respond', END)
    .compile();
}

function phrase(
  intent: Intent,
  portfolio: PortfolioAnswer | undefined,
  specialistText: string | undefined,
): string {
  switch (intent.kind) {
    case 'portfolio_value':
    case 'risk':
    case 'market':
    case 'rebalance':
      return specialistText ?? 'The portfolio manager returned no answer.';
    case 'holdings':
      return portfolio ? holdingsReply(portfolio.valuation) : (specialistText ?? '');
    case 'unknown_symbol':
      return `I don't know the symbol ${intent.name}. I cover the S&P 500; try a ticker like AAPL or a name like Apple.`;
    case 'trade':
    case 'orders':
    case 'confirm':
    case 'reject':
      return TRADING_UNAVAILABLE;
    case 'greeting':
      return GREETING;
    case 'help':
      return CAPABILITIES;
    case 'unsupported':
      return unsupported(intent.text);
  }
}

export type AssistantGraph = ReturnType<typeof assistantGraph>;

export interface TurnResult {
  text: string;
  intent: Intent['kind'];
  portfolio?: PortfolioAnswer;
  data?: { kind: string };
}

/** Run one turn, reporting each graph step as it starts and finishes. */
export async function runTurn(
  graph: AssistantGraph,
  input: { text: string; authorization: string; signal?: AbortSignal },
  onStep: (step: string, phase: 'started' | 'finished') => void = () => {},
): Promise<TurnResult> {
  let state: Partial<typeof State.State> = {};
  onStep('understand', 'started');
  const stream = await graph.stream(
    { text: input.text, authorization: input.authorization },
    { streamMode: 'updates', signal: input.signal },
  );
  for await (const update of stream) {
    for (const [node, patch] of Object.entries(update as Record<string, Partial<typeof State.State>>)) {
      onStep(node, 'finished');
      state = { ...state, ...patch };
      const next =
        node === 'understand'
          ? delegationFor(state.intent!)
            ? 'askPortfolioManager'
            : 'respond'
          : node === 'askPortfolioManager'
            ? 'respond'
            : undefined;
      if (next) onStep(next, 'started');
    }
  }
  return {
    text: state.reply ?? '',
    intent: state.intent!.kind,
    portfolio: state.portfolio,
    data: state.answerData,
  };
}
