import { issueConfirmation, verifyConfirmation } from '../confirmation.js';
import { BrokerError, isBrokerError } from '../errors.js';
import { type PricingModels, type Quote, reservationFor } from '../estimate.js';
import { NO_SLIPPAGE, ZERO_COMMISSION } from '../fees.js';
import { resolveClientOrderId } from '../idempotency.js';
import { type Order, type OrderRequest, type OrderRequestInput, parseOrderRequest } from '../order.js';
import type { AccountState, Broker, OrderFilter, PreviewResult, QuoteSource } from '../port.js';
import { previewOrder } from '../preview.js';
import { type OrderChanges, replacementRequest } from '../replace.js';
import { type AccountSnapshot, assertRiskPassed, checkRisk } from '../risk.js';
import { OPEN_STATUSES } from '../state.js';
import { type AlpacaConfigInput, alpacaBaseUrl, parseAlpacaConfig } from './config.js';
import { type AlpacaHttp, alpacaHttp, type Fetch } from './http.js';
import {
  type AlpacaMappedOrder,
  toAccountState,
  toAlpacaOrderBody,
  toAlpacaReplaceBody,
  toOrder,
} from './mapping.js';

export interface AlpacaDeps {
  /** Prices for previews and risk (Alpaca's market data lives on another host and plan). */
  quotes: QuoteSource;
  fetch?: Fetch;
  now?: () => Date;
  /** For estimates only; Alpaca charges what it charges. Default: zero commission, no slippage. */
  models?: Partial<PricingModels>;
}

/**
 * The Broker port over Alpaca's Trading API v2 (REST). Our pre-trade risk and confirmation run
 * before anything is sent to Alpaca; Alpaca's own checks run after.
 */
export class AlpacaBroker implements Broker {
  private readonly config;
  private readonly http: AlpacaHttp;
  private readonly now: () => Date;
  private readonly models: PricingModels;

  constructor(
    config: AlpacaConfigInput,
    private readonly deps: AlpacaDeps,
  ) {
    this.config = parseAlpacaConfig(config);
    this.now = deps.now ?? (() => new Date());
    this.http = alpacaHttp(this.config, alpacaBaseUrl(this.config), deps.fetch ?? fetch, this.now);
    this.models = { commission: ZERO_COMMISSION, slippage: NO_SLIPPAGE, ...deps.models };
  }

  async account(accountId: string): Promise<AccountState> {
    this.own(accountId);
    const [account, positions] = await Promise.all([
      this.http.request('GET', '/v2/account'),
      this.http.request('GET', '/v2/positions'),
    ]);
    return toAccountState(account, positions, accountId);
  }

  async getOrder(accountId: string, orderId: string): Promise<AlpacaMappedOrder> {
    this.own(accountId);
    return toOrder(await this.http.request('GET', `/v2/orders/${encodeURIComponent(orderId)}`), accountId);
  }

  async listOrders(accountId: string, filter: OrderFilter = {}): Promise<AlpacaMappedOrder[]> {
    this.own(accountId);
    const query: Record<string, string> = {
      status: filter.status ?? 'open',
      limit: String(filter.limit ?? 500),
      direction: 'desc',
    };
    if (filter.symbols?.length) query.symbols = filter.symbols.join(',');
    const rows = await this.http.request<unknown[]>('GET', '/v2/orders', { query });
    const orders = rows.map((r) => toOrder(r, accountId));
    return filter.statuses ? orders.filter((o) => filter.statuses!.includes(o.status)) : orders;
  }

  async preview(
    accountId: string,
    input: OrderRequestInput,
    opts: { replaces?: string } = {},
  ): Promise<PreviewResult> {
    this.own(accountId);
    const request = parseOrderRequest(input);
    const [account, quote] = await Promise.all([
      this.snapshot(accountId, opts.replaces),
      this.quote(request),
    ]);
    const preview = previewOrder({
      request,
      account,
      quote,
      limits: this.config.limits,
      models: this.models,
    });
    const confirmation = preview.risk.passed
      ? await issueConfirmation(accountId, request, {
          secret: this.config.confirmationSecret,
          now: this.now(),
          replaces: opts.replaces,
        })
      : null;
    return { ...preview, confirmation };
  }

  async place(accountId: string, input: OrderRequestInput, confirmationToken: string): Promise<Order> {
    this.own(accountId);
    const request = parseOrderRequest(input);
    await verifyConfirmation(confirmationToken, request, accountId, this.config.confirmationSecret, {
      now: this.now(),
    });
    const existing = await this.byClientOrderId(accountId, request.clientOrderId);
    const idempotent = resolveClientOrderId(existing, request);
    if (idempotent.kind === 'replay') return idempotent.order;
    await this.assertRisk(accountId, request);
    return toOrder(
      await this.http.request('POST', '/v2/orders', { body: toAlpacaOrderBody(request) }),
      accountId,
    );
  }

  async cancel(accountId: string, orderId: string): Promise<Order> {
    this.own(accountId);
    try {
      await this.http.request('DELETE', `/v2/orders/${encodeURIComponent(orderId)}`);
    } catch (e) {
      if (isBrokerError(e, 'invalid_order')) {
        throw new BrokerError(
          'not_cancelable',
          `Order ${orderId} can no longer be canceled: ${e.message}`,
          e.details,
        );
      }
      throw e;
    }
    return this.getOrder(accountId, orderId);
  }

  async replace(
    accountId: string,
    orderId: string,
    changes: OrderChanges,
    confirmationToken: string,
  ): Promise<Order> {
    const old = await this.getOrder(accountId, orderId);
    const request = replacementRequest(old, changes);
    await verifyConfirmation(confirmationToken, request, accountId, this.config.confirmationSecret, {
      now: this.now(),
      replaces: orderId,
    });
    await this.assertRisk(accountId, request, orderId);
    const body = toAlpacaReplaceBody(request);
    return toOrder(
      await this.http.request('PATCH', `/v2/orders/${encodeURIComponent(orderId)}`, { body }),
      accountId,
    );
  }

  private own(accountId: string): void {
    if (accountId !== this.config.accountId) {
      throw new BrokerError('not_found', `Account ${accountId} is not served by this Alpaca connection`);
    }
  }

  private async quote(request: Pick<OrderRequest, 'symbol'>): Promise<Quote> {
    return this.deps.quotes.quote(request.symbol);
  }

  private async byClientOrderId(accountId: string, clientOrderId: string): Promise<Order | null> {
    try {
      const json = await this.http.request('GET', '/v2/orders:by_client_order_id', {
        query: { client_order_id: clientOrderId },
      });
      return toOrder(json, accountId);
    } catch (e) {
      if (isBrokerError(e, 'not_found')) return null;
      throw e;
    }
  }

  private async assertRisk(accountId: string, request: OrderRequest, replaces?: string): Promise<void> {
    const [account, quote] = await Promise.all([this.snapshot(accountId, replaces), this.quote(request)]);
    assertRiskPassed(checkRisk({ request, account, quote, limits: this.config.limits, models: this.models }));
  }

  /** Account, positions and open orders as a risk snapshot; `excluding` an order being replaced. */
  private async snapshot(accountId: string, excluding?: string): Promise<AccountSnapshot> {
    const [state, open] = await Promise.all([
      this.account(accountId),
      this.listOrders(accountId, { status: 'open' }),
    ]);
    const working = open.filter((o) => o.id !== excluding && OPEN_STATUSES.includes(o.status));
    const quotes = new Map<string, Promise<Quote>>();
    const quoteOf = (symbol: string) => {
      if (!quotes.has(symbol)) quotes.set(symbol, this.deps.quotes.quote(symbol));
      return quotes.get(symbol)!;
    };
    const openOrders = await Promise.all(
      working.map(async (o) => reservationFor(o, await quoteOf(o.symbol), this.models)),
    );
    return {
      accountId,
      cash: state.cash,
      equity: state.equity,
      startOfDayEquity: state.startOfDayEquity,
      allowShort: state.allowShort,
      positions: state.positions.map((p) => ({
        symbol: p.symbol,
        quantity: p.quantity,
        lastPrice: p.lastPrice,
      })),
      openOrders,
    };
  }
}
