import { describe, expect, it } from 'vitest';
import { expireIfDue, fixedBpsSlippage, matchOrder, perShareCommission } from '../src/index.js';
import { accepted, bar, path, run, tick } from './helpers.js';

// 2024-03-05 is a Tuesday in New York standard time (UTC−5): the session closes at 21:00Z.
const at = (hhmm: string, date = '2024-03-05') => `${date}T${hhmm}:00-05:00`;

describe('market orders', () => {
  it('fill at the tick price when the volume allows', () => {
    const { order, fills } = run(accepted({}), [tick(at('10:01'), '187.50', '5000')]);
    expect(fills).toEqual([
      expect.objectContaining({
        id: 'o1-1',
        quantity: '100',
        price: '187.5',
        grossAmount: '18750.00',
        commission: '0.00',
        netCashFlow: '-18750.00',
        liquidity: 'taker',
        at: at('10:01'),
      }),
    ]);
    expect(order.status).toBe('filled');
    expect(path(order)).toEqual(['new→accepted', 'accepted→filled']);
    expect(order.transitions[1]).toMatchObject({ at: at('10:01'), reason: 'filled 100 at an average 187.5' });
  });

  it('fill at the bar open, on the first session after an order placed after the close', () => {
    const order = accepted({ side: 'sell' }, at('16:30'));
    const { order: done, fills } = run(order, [bar('2024-03-06T09:30:00-05:00', '190', '195', '189', '194')]);
    expect(fills[0]).toMatchObject({ price: '190', grossAmount: '19000.00', netCashFlow: '19000.00' });
    expect(done.status).toBe('filled');
  });

  it('fill partially across events, limited to 10% of each event’s volume in whole shares', () => {
    const { order, fills } = run(accepted({}), [
      tick(at('10:01'), '100', '300'),
      tick(at('10:02'), '101', '300'),
      tick(at('10:03'), '102', '309'),
      tick(at('10:04'), '103', '1000'),
    ]);
    expect(fills.map((f) => [f.id, f.quantity, f.price])).toEqual([
      ['o1-1', '30', '100'],
      ['o1-2', '30', '101'],
      ['o1-3', '30', '102'],
      ['o1-4', '10', '103'],
    ]);
    expect(order).toMatchObject({
      status: 'filled',
      filledQuantity: '100',
      averageFillPrice: '101.2',
      fillCount: 4,
    });
    expect(path(order)).toEqual(['new→accepted', 'accepted→partially_filled', 'partially_filled→filled']);
    expect(order.transitions[1]!.reason).toBe('filled 30 of 100 at 100');
  });

  it('take a configurable participation rate', () => {
    const { fills } = run(accepted({}), [tick(at('10:01'), '100', '300')], { participationRate: '0.5' });
    expect(fills[0]!.quantity).toBe('100');
  });

  it('IOC: fill what the first event allows and cancel the rest', () => {
    const { order, fills } = run(accepted({ timeInForce: 'ioc' }), [
      tick(at('10:01'), '100', '300'),
      tick(at('10:02'), '100', '300'),
    ]);
    expect(fills).toHaveLength(1);
    expect(order.filledQuantity).toBe('30');
    expect(path(order)).toEqual(['new→accepted', 'accepted→partially_filled', 'partially_filled→canceled']);
    expect(order.transitions[2]!.reason).toBe('IOC: unfilled remainder of 100 canceled');
  });

  it('FOK: all on the first event or nothing', () => {
    const short = run(accepted({ timeInForce: 'fok' }), [
      tick(at('10:01'), '100', '500'),
      tick(at('10:02'), '100', '5000'),
    ]);
    expect(short.fills).toEqual([]);
    expect(path(short.order)).toEqual(['new→accepted', 'accepted→canceled']);
    expect(short.order.transitions[1]!.reason).toBe('FOK: 100 not fillable at once (50 available)');

    const enough = run(accepted({ timeInForce: 'fok' }), [tick(at('10:01'), '100', '1000')]);
    expect(enough.order.status).toBe('filled');
  });

  it('notional: converts dollars to fractional shares at the fill (8 decimals, rounded down)', () => {
    const { order, fills } = run(accepted({ quantity: undefined, notional: '1000' }), [
      tick(at('10:01'), '123.45', '5000'),
    ]);
    // 1000 / 123.45 = 8.1004455245…
    expect(fills[0]).toMatchObject({ quantity: '8.10044552', price: '123.45', grossAmount: '1000.00' });
    expect(order).toMatchObject({
      status: 'filled',
      quantity: null,
      notional: '1000',
      filledQuantity: '8.10044552',
    });
  });

  it('ignore events outside the regular session and before the order existed', () => {
    const early = accepted({}, at('08:00'));
    const r1 = matchOrder(early, tick(at('09:00'), '99'));
    expect(r1.order).toBe(early);
    expect(run(early, [tick(at('09:30'), '100')]).fills[0]!.at).toBe(at('09:30'));

    const placed = accepted({});
    expect(matchOrder(placed, tick(at('09:59'), '99')).fills).toEqual([]);
  });

  it('leave orders that are not working untouched', () => {
    const { order } = run(accepted({}), [tick(at('10:01'), '100')]);
    expect(matchOrder(order, tick(at('10:02'), '100'))).toEqual({ order, fills: [], transitions: [] });
  });
});

describe('limit orders', () => {
  it('fill at the limit inside a bar, or at the open when the bar gaps through', () => {
    const order = accepted({ type: 'limit', limitPrice: '100', quantity: '50' });
    const miss = matchOrder(order, bar(at('10:01'), '101', '101.5', '100.5', '101'));
    expect(miss.fills).toEqual([]);
    const touch = matchOrder(miss.order, bar(at('10:02'), '100.8', '101', '99.9', '100'));
    expect(touch.fills[0]).toMatchObject({ price: '100', liquidity: 'maker' });

    const gap = run(order, [bar(at('10:03'), '99.5', '99.8', '99', '99.2')]);
    expect(gap.fills[0]).toMatchObject({ price: '99.5', liquidity: 'taker' });
  });

  it('sell on ticks at the limit or better', () => {
    const { fills } = run(accepted({ side: 'sell', type: 'limit', limitPrice: '105' }), [
      tick(at('10:01'), '104.9'),
      tick(at('10:02'), '105.2'),
    ]);
    expect(fills.map((f) => f.price)).toEqual(['105.2']);
  });

  it('IOC: cancel when the limit is not marketable on the first event', () => {
    const { order } = run(accepted({ type: 'limit', limitPrice: '100', timeInForce: 'ioc' }), [
      tick(at('10:01'), '100.5'),
    ]);
    expect(order.status).toBe('canceled');
    expect(order.transitions.at(-1)!.reason).toBe('IOC: limit 100 not marketable at 100.5');
  });

  it('FOK: fill entirely when marketable with enough volume', () => {
    const { order, fills } = run(accepted({ type: 'limit', limitPrice: '100', timeInForce: 'fok' }), [
      tick(at('10:01'), '99.9', '2000'),
    ]);
    expect(fills[0]).toMatchObject({ quantity: '100', price: '99.9' });
    expect(order.status).toBe('filled');
  });

  it('DAY: expire at the regular close (16:00 New York), on the next event or a clock sweep', () => {
    const order = accepted({ type: 'limit', limitPrice: '90' });
    expect(order.expiresAt).toBe('2024-03-05T21:00:00.000Z');
    const { order: expired, fills } = run(order, [
      tick(at('15:59'), '95'),
      tick(at('09:30', '2024-03-06'), '89'),
    ]);
    expect(fills).toEqual([]);
    expect(expired.status).toBe('expired');
    expect(expired.transitions.at(-1)).toEqual({
      from: 'accepted',
      to: 'expired',
      at: '2024-03-05T21:00:00.000Z',
      reason: 'DAY order expired at the session close',
    });
    expect(expireIfDue(order, at('15:59')).status).toBe('accepted');
    expect(expireIfDue(order, at('16:00')).status).toBe('expired');
  });

  it('DAY: expire at an early close (13:00 the day after Thanksgiving)', () => {
    const day = '2024-11-29';
    const order = accepted({ type: 'limit', limitPrice: '90' }, at('10:00', day));
    expect(order.expiresAt).toBe('2024-11-29T18:00:00.000Z');
    const { order: done, fills } = run(order, [tick(at('12:59', day), '95'), tick(at('13:05', day), '89')]);
    expect(fills).toEqual([]);
    expect(done.status).toBe('expired');
    // Placed after the early close: good for the next session (Monday).
    expect(accepted({}, at('13:30', day)).expiresAt).toBe('2024-12-02T21:00:00.000Z');
  });

  it('GTC: rest overnight and fill the next day; expire after 90 days', () => {
    const order = accepted({ type: 'limit', limitPrice: '90', timeInForce: 'gtc' });
    expect(order.expiresAt).toBe('2024-06-03T20:00:00.000Z'); // close of the session 90 days on (EDT)
    const { order: filled, fills } = run(order, [
      tick(at('15:59'), '95'),
      tick(at('10:00', '2024-03-06'), '89.5'),
    ]);
    expect(fills[0]).toMatchObject({ price: '89.5', at: at('10:00', '2024-03-06') });
    expect(filled.status).toBe('filled');

    const stale = run(order, [tick('2024-06-04T10:00:00-04:00', '95')]).order;
    expect(stale.status).toBe('expired');
    expect(stale.transitions.at(-1)!.reason).toBe('GTC order reached its 90-day limit');
  });
});

describe('stop orders', () => {
  it('sell stop: trigger when the bar trades through, fill at the stop less slippage', () => {
    const order = accepted({ side: 'sell', type: 'stop', stopPrice: '95' });
    const r = matchOrder(order, bar(at('10:01'), '97', '98', '94', '94.5'), {
      slippage: fixedBpsSlippage('10'),
    });
    // 95 × (1 − 0.001) = 94.905
    expect(r.fills[0]).toMatchObject({ price: '94.905', liquidity: 'taker' });
    expect(r.order.triggeredAt).toBe(at('10:01'));
  });

  it('sell stop: a gap through the stop fills at the open', () => {
    const { fills } = run(accepted({ side: 'sell', type: 'stop', stopPrice: '95' }), [
      bar(at('10:01'), '96', '97', '95.5', '96'),
      bar(at('10:02'), '93', '94', '92', '93.5'),
    ]);
    expect(fills.map((f) => f.price)).toEqual(['93']);
  });

  it('buy stop on ticks, then market for the rest across events', () => {
    const { order, fills } = run(accepted({ type: 'stop', stopPrice: '105' }), [
      tick(at('10:01'), '104'),
      tick(at('10:02'), '105.3', '500'),
      tick(at('10:03'), '104.8', '500'),
    ]);
    expect(fills.map((f) => [f.quantity, f.price])).toEqual([
      ['50', '105.3'],
      ['50', '104.8'],
    ]);
    expect(order.status).toBe('filled');
  });

  it('DAY: an untriggered stop expires at the close', () => {
    const { order } = run(accepted({ side: 'sell', type: 'stop', stopPrice: '80' }), [
      tick(at('10:01'), '100'),
      tick(at('10:00', '2024-03-06'), '100'),
    ]);
    expect(order.status).toBe('expired');
    expect(order.triggeredAt).toBeNull();
  });
});

describe('stop-limit orders', () => {
  it('trigger at the stop and fill there when it satisfies the limit', () => {
    const { fills } = run(accepted({ side: 'sell', type: 'stop_limit', stopPrice: '95', limitPrice: '94' }), [
      bar(at('10:01'), '97', '97', '93', '93.5'),
    ]);
    expect(fills[0]).toMatchObject({ price: '95', liquidity: 'taker' });
  });

  it('gapping through stop and limit: triggered, then rest as a limit order', () => {
    const order = accepted({ side: 'sell', type: 'stop_limit', stopPrice: '95', limitPrice: '94' });
    const gap = matchOrder(order, bar(at('10:01'), '92', '94.5', '91', '92'));
    expect(gap.fills).toEqual([]);
    expect(gap.order.triggeredAt).toBe(at('10:01'));
    const later = matchOrder(gap.order, bar(at('10:02'), '93', '94.2', '92.5', '94'));
    expect(later.fills[0]).toMatchObject({ price: '94', liquidity: 'maker' });
  });

  it('buy stop-limit on ticks', () => {
    const { fills } = run(
      accepted({ type: 'stop_limit', stopPrice: '105', limitPrice: '106', timeInForce: 'gtc' }),
      [tick(at('10:01'), '104'), tick(at('10:02'), '107'), tick(at('10:03'), '105.5')],
    );
    expect(fills.map((f) => f.price)).toEqual(['105.5']);
  });
});

describe('trailing stops', () => {
  it('sell by percent: the high-water mark only ratchets up', () => {
    const order = accepted({ side: 'sell', type: 'trailing_stop', trailPercent: '5' });
    const prices = ['100', '110', '106', '108', '104.6', '104.4'];
    const steps = prices.map((p, i) => tick(at(`10:0${i + 1}`), p));
    const { order: done, fills } = run(order, steps);
    // mark 110 → stop 104.5: 104.6 holds, 104.4 triggers
    expect(fills.map((f) => [f.price, f.at])).toEqual([['104.4', at('10:06')]]);
    expect(done).toMatchObject({ status: 'filled', trailingMark: '110', triggeredAt: at('10:06') });

    const mid = run(order, steps.slice(0, 4)).order;
    expect(mid.trailingMark).toBe('110');
  });

  it('buy by price: the low-water mark only ratchets down', () => {
    const { order, fills } = run(accepted({ type: 'trailing_stop', trailPrice: '2', timeInForce: 'gtc' }), [
      tick(at('10:01'), '50'),
      tick(at('10:02'), '48'),
      tick(at('10:03'), '49.5'),
      tick(at('10:04'), '50.1'),
    ]);
    expect(fills.map((f) => f.price)).toEqual(['50.1']);
    expect(order.trailingMark).toBe('48');
  });

  it('on bars: the stop that held at the open is tested first, then the high moves the mark', () => {
    const order = accepted({ side: 'sell', type: 'trailing_stop', trailPercent: '10' });
    const first = matchOrder(order, bar(at('10:01'), '100', '120', '99', '118'));
    expect(first.fills).toEqual([]);
    expect(first.order.trailingMark).toBe('120');
    expect(matchOrder(first.order, bar(at('10:02'), '115', '116', '107', '110')).fills[0]!.price).toBe('108');
    expect(matchOrder(first.order, bar(at('10:02'), '105', '106', '101', '102')).fills[0]!.price).toBe('105');
  });
});

describe('commission through matching', () => {
  it('charges the per-order minimum once across partial fills', () => {
    const { order, fills } = run(
      accepted({ quantity: '300' }),
      [1, 2, 3].map((m) => tick(at(`10:0${m}`), '50', '1000')),
      {
        commission: perShareCommission(),
      },
    );
    expect(fills.map((f) => [f.quantity, f.commission, f.netCashFlow])).toEqual([
      ['100', '1.00', '-5001.00'],
      ['100', '0.00', '-5000.00'],
      ['100', '0.50', '-5000.50'],
    ]);
    expect(order.commission).toBe('1.50');
  });
});
