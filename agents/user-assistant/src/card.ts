import { type AgentCard, agentCard } from '@stockpulse/protocols/a2a';

export function userAssistantCard(publicUrl: string): AgentCard {
  return agentCard({
    name: 'StockPulse Assistant',
    description:
      'A trading assistant that answers questions about your portfolio in plain language, delegating to specialist agents.',
    version: '0.2.0',
    publicUrl,
    streaming: true,
    skills: [
      {
        id: 'assistant-chat',
        name: 'Portfolio chat',
        description:
          'Answers plain-language questions about the caller’s portfolio and the market: value and holdings, ' +
          'exposure and risk, why a stock moved, rebalancing plans.',
        tags: ['chat', 'portfolio', 'assistant', 'risk', 'market'],
        examples: ['What is my portfolio worth?', 'How exposed am I to chips?', 'Why did NVDA move?'],
        outputModes: ['text/plain', 'application/json'],
      },
      {
        id: 'paper-trading',
        name: 'Paper trading with confirmation',
        description:
          'Previews an order described in words ("buy 10 AAPL", "sell $500 of MSFT at 410") with its cost and risk ' +
          'checks and asks for confirmation (task state INPUT_REQUIRED); reply "confirm" or "cancel" in the same ' +
          'task. Placing needs a credential with the trade scope.',
        tags: ['trading', 'orders', 'paper', 'confirmation'],
        examples: ['Buy 10 AAPL', 'confirm', 'Show my orders'],
        outputModes: ['text/plain', 'application/json'],
      },
    ],
  });
}
