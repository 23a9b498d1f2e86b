import type { RegisteredAgentCard } from '@stockpulse/protocols/registry';
import { describe, expect, it } from 'vitest';
import { AgentStore, agentIdFor } from '../src/store.js';

function card(name: string, url: string): RegisteredAgentCard {
  return {
    name,
    description: '',
    version: '1.0.0',
    supportedInterfaces: [
      { url: `${url}/grpc`, protocolBinding: 'GRPC' },
      { url: `${url}/jsonrpc`, protocolBinding: 'JSONRPC' },
    ],
    skills: [],
    defaultInputModes: [],
    defaultOutputModes: [],
  };
}

describe('AgentStore', () => {
  it('identifies agents by card URL, else by name and endpoint', () => {
    let now = 0;
    const store = new AgentStore(() => now);
    const base = {
      leaseSeconds: 10,
      registeredBy: 'service:test',
      lastCardFetchAt: null,
      cardFetchLatencyMs: null,
    };
    const a = store.upsert({ ...base, card: card('A', 'http://a'), cardUrl: 'http://a/card.json' });
    expect(a).toMatchObject({
      replaced: false,
      record: { agentId: agentIdFor('http://a/card.json'), url: 'http://a/jsonrpc' },
    });
    now = 5;
    expect(
      store.upsert({ ...base, card: card('A2', 'http://a'), cardUrl: 'http://a/card.json' }).replaced,
    ).toBe(true);
    store.upsert({ ...base, card: card('B', 'http://b1'), cardUrl: null });
    store.upsert({ ...base, card: card('B', 'http://b2'), cardUrl: null });
    expect(
      store
        .all()
        .map((r) => r.card.name)
        .sort(),
    ).toEqual(['A2', 'B', 'B']);
  });

  it('reports a lapsed lease once, revives on heartbeat, evicts after three leases of silence', () => {
    let now = 0;
    const store = new AgentStore(() => now);
    const { record } = store.upsert({
      card: card('A', 'http://a'),
      cardUrl: null,
      leaseSeconds: 10,
      registeredBy: 'service:test',
      lastCardFetchAt: null,
      cardFetchLatencyMs: null,
    });
    now = 10_000;
    expect(store.isHealthy(record)).toBe(true);
    expect(store.sweep()).toEqual({ lapsed: [], evicted: [] });
    now = 10_001;
    expect(store.sweep().lapsed).toHaveLength(1);
    expect(store.sweep().lapsed).toHaveLength(0);
    expect(store.counts()).toEqual({ agents: 1, healthyAgents: 0 });
    store.heartbeat(record.agentId);
    expect(store.counts()).toEqual({ agents: 1, healthyAgents: 1 });
    now += 30_000;
    expect(store.sweep()).toMatchObject({ lapsed: [record], evicted: [] });
    now += 1;
    expect(store.sweep()).toMatchObject({ lapsed: [], evicted: [record] });
    expect(store.heartbeat(record.agentId)).toBeUndefined();
  });
});
