/**
 * Why the ledger refused the events. All are caller errors (HTTP 400 / MCP invalid params):
 * `insufficient_quantity` a sale larger than the holding (no short selling unless allowed),
 * `unordered_events` dates that go backwards, `invalid_event` a malformed event.
 */
export type AccountingErrorCode = 'insufficient_quantity' | 'unordered_events' | 'invalid_event';

export class AccountingError extends Error {
  constructor(
    readonly code: AccountingErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'AccountingError';
  }
}
