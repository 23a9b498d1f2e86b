import { Annotation, END, START, StateGraph } from '@langchain/langgraph';
import { AppError } from '@stockpulse/core';
import type { PortfolioValuation } from '@stockpulse/domain';
import type { Delegator } from '../delegate.js';
import { type Intent, recognize } from './intents.js';
import { CAPABILITIES, GREETING, holdingsReply, unsupported } from './replies.js';

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
  specialistText: Annotation<string | undefined>(),
  /** Why the specialist could not answer (no agent with the skill, unreachable, timed out). */
  unavailable: Annotation<string | undefined>(),
  reply: Annotation<string>(),
});

export const SKILL_FOR: Partial<Record<Intent['kind'], string>> = {
  portfolio_value: 'portfolio-analysis',
  holdings: 'portfolio-analysis',
};

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
        answer = await delegator.delegate(SKILL_FOR[s.intent!.kind]!, s.text, {
          authorization: s.authorization,
          signal: config.signal,
        });
      } catch (e) {
        // Say plainly that the specialist is not there, instead of failing the whole turn.
        if (e instanceof AppError && (e.code === 'unavailable' || e.code === 'timeout'))
          return { unavailable: e.message };
        throw e;
      }
      const portfolio = answer.data.find(
        (d): d is PortfolioAnswer =>
          typeof d === 'object' && d !== null && (d as { kind?: string }).kind === 'portfolio-valuation',
      );
      return { portfolio, specialistText: answer.text };
    })
    .addNode('respond', async (s) => ({
      reply: s.unavailable
        ? `I can't reach the portfolio manager right now: ${s.unavailable}`
        : phrase(s.intent!, s.portfolio, s.specialistText),
    }))
    .addEdge(START, 'understand')
    .addConditionalEdges(
      'understand',
      (s) => (SKILL_FOR[s.intent!.kind] ? 'askPortfolioManager' : 'respond'),
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
      return specialistText ?? 'The portfolio manager did not return a valuation.';
    case 'holdings':
      return portfolio ? holdingsReply(portfolio.valuation) : (specialistText ?? '');
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
          ? SKILL_FOR[state.intent!.kind]
            ? 'askPortfolioManager'
            : 'respond'
          : node === 'askPortfolioManager'
            ? 'respond'
            : undefined;
      if (next) onStep(next, 'started');
    }
  }
  return { text: state.reply ?? '', intent: state.intent!.kind, portfolio: state.portfolio };
}
