/**
 * The demo account `npm start` seeds. The user id is fixed so every store (auth, ledger, graph
 * memory) agrees on it without talking to each other.
 */
export const DEMO_USER_ID = '00000000-0000-4000-8000-00000000d3e0';
export const DEMO_EMAIL = 'demo@stockpulse.local';
export const DEMO_DISPLAY_NAME = 'Demo Investor';

/** Cash deposited on the simulation's first day, before the opening purchases. */
export const DEMO_DEPOSIT = '150000.00';

/** Opening purchases, bought at the first simulated day's close. */
export const DEMO_HOLDINGS: ReadonlyArray<{ symbol: string; quantity: string }> = [
  { symbol: 'AAPL', quantity: '120' },
  { symbol: 'MSFT', quantity: '60' },
  { symbol: 'NVDA', quantity: '400' },
  { symbol: 'AMZN', quantity: '150' },
  { symbol: 'JPM', quantity: '90' },
  { symbol: 'XOM', quantity: '110' },
  { symbol: 'GOOGL', quantity: '80' },
];
