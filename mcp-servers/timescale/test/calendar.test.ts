import { describe, expect, it } from 'vitest';
import { closures, exchangeInstant, marketStatus, sessionClose, toExchangeIso } from '../src/calendar.js';

describe('session times in New York', () => {
  it('finds the instant of a wall-clock time in standard and daylight time', () => {
    expect(exchangeInstant('2024-03-08', 570).toISOString()).toBe('2024-03-08T14:30:00.000Z');
    expect(exchangeInstant('2024-03-11', 570).toISOString()).toBe('2024-03-11T13:30:00.000Z');
    expect(sessionClose('2024-11-04').toISOString()).toBe('2024-11-04T21:00:00.000Z');
    expect(toExchangeIso(new Date('2024-03-28T13:30:00Z'))).toBe('2024-03-28T09:30:00-04:00');
    expect(toExchangeIso(new Date('2024-01-02T05:07:00Z'))).toBe('2024-01-02T00:07:00-05:00');
  });
});

describe('marketStatus', () => {
  it('is open during the session, with the close today and the next open after a holiday', () => {
    expect(marketStatus(new Date('2024-03-28T15:00:00Z'))).toEqual({
      at: '2024-03-28T15:00:00.000Z',
      timeZone: 'America/New_York',
      exchangeTime: '2024-03-28T11:00:00-04:00',
      isOpen: true,
      phase: 'open',
      isTradingDay: true,
      closedReason: null,
      nextOpen: '2024-04-01T09:30:00-04:00', // 2024-03-29 is Good Friday
      nextClose: '2024-03-28T16:00:00-04:00',
    });
  });

  it('is closed before the open, after the close, on holidays and weekends', () => {
    expect(marketStatus(new Date('2024-03-28T12:00:00Z'))).toMatchObject({
      isOpen: false,
      phase: 'pre_open',
      nextOpen: '2024-03-28T09:30:00-04:00',
      nextClose: '2024-03-28T16:00:00-04:00',
    });
    expect(marketStatus(new Date('2024-03-28T20:00:00Z'))).toMatchObject({
      phase: 'after_close',
      nextOpen: '2024-04-01T09:30:00-04:00',
      nextClose: '2024-04-01T16:00:00-04:00',
    });
    expect(marketStatus(new Date('2024-03-29T15:00:00Z'))).toMatchObject({
      phase: 'closed_today',
      isTradingDay: false,
      closedReason: 'Good Friday',
    });
    expect(marketStatus(new Date('2024-11-02T15:00:00Z'))).toMatchObject({
      closedReason: 'Weekend',
      nextOpen: '2024-11-04T09:30:00-05:00', // daylight time ended on 2024-11-03
    });
  });
});

describe('closures', () => {
  it('lists the weekday closures of a year, named', () => {
    expect(closures(2025)).toEqual([
      { date: '2025-01-01', weekday: 'Wednesday', name: "New Year's Day" },
      { date: '2025-01-09', weekday: 'Thursday', name: 'Special closure' },
      { date: '2025-01-20', weekday: 'Monday', name: 'Martin Luther King Jr. Day' },
      { date: '2025-02-17', weekday: 'Monday', name: "Washington's Birthday" },
      { date: '2025-04-18', weekday: 'Friday', name: 'Good Friday' },
      { date: '2025-05-26', weekday: 'Monday', name: 'Memorial Day' },
      { date: '2025-06-19', weekday: 'Thursday', name: 'Juneteenth' },
      { date: '2025-07-04', weekday: 'Friday', name: 'Independence Day' },
      { date: '2025-09-01', weekday: 'Monday', name: 'Labor Day' },
      { date: '2025-11-27', weekday: 'Thursday', name: 'Thanksgiving Day' },
      { date: '2025-12-25', weekday: 'Thursday', name: 'Christmas Day' },
    ]);
  });

  it('names observed holidays (2022: New Year on a Saturday is not observed)', () => {
    const y2022 = closures(2022);
    expect(y2022.map((c) => c.date)).not.toContain('2021-12-31');
    expect(y2022).toHaveLength(9);
    expect(y2022).toContainEqual({ date: '2022-06-20', weekday: 'Monday', name: 'Juneteenth' });
    expect(y2022).toContainEqual({ date: '2022-12-26', weekday: 'Monday', name: 'Christmas Day' });
  });
});
