/**
 * Why a backtest could not run or a strategy broke a rule: a stable machine `code`, a message a person
 * can read, `details` for programs. `look_ahead` means a strategy asked for a bar after the one it is
 * deciding on; `invalid_input` and `invalid_decision` are caller errors (HTTP 400 / MCP invalid params).
 */
export type BacktestErrorCode = 'invalid_input' | 'invalid_decision' | 'look_ahead' | 'unknown_symbol';

export class BacktestError extends Error {
  constructor(
    readonly code: BacktestErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'BacktestError';
  }
}
