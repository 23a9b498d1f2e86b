import type { Database } from '@stockpulse/db';
import { AgentState } from './agent-state.js';
import { Alerts } from './alerts.js';
import { Backtests } from './backtests.js';
import { Ledger } from './ledger.js';
import { Orders } from './orders.js';
import { type ReaderLimits, ReaderQueries } from './reader.js';
import { Watchlists } from './watchlists.js';

/** The ledger server's stores, split by domain, all on one database. */
export interface LedgerStores {
  ledger: Ledger;
  orders: Orders;
  watchlists: Watchlists;
  alerts: Alerts;
  backtests: Backtests;
  agentState: AgentState;
  reader: ReaderQueries;
}

export function ledgerStores(db: Database, readerLimits: Partial<ReaderLimits> = {}): LedgerStores {
  return {
    ledger: new Ledger(db),
    orders: new Orders(db),
    watchlists: new Watchlists(db),
    alerts: new Alerts(db),
    backtests: new Backtests(db),
    agentState: new AgentState(db),
    reader: new ReaderQueries(db, readerLimits),
  };
}
