import { type AgentCard, agentCard } from '@stockpulse/protocols/a2a';

export function userAssistantCard(publicUrl: string): AgentCard {
  return agentCard({
    name: 'StockPulse Assistant',
    description:
      'A trading assistant that answers questions about your portfolio in plain language, delegating to specialist agents.',
    version: '0.1.0',
    publicUrl,
    streaming: true,
    skills: [
      {
        id: 'assistant-chat',
        name: 'Portfolio chat',
        description:
          'Answers plain-language questions about the caller’s portfolio: its value and holdings, priced at the latest close.',
        tags: ['chat', 'portfolio', 'assistant'],
        examples: ['What is my portfolio worth?', 'What do I own?'],
        outputModes: ['text/plain', 'application/json'],
      },
    ],
  });
}
