import { nyseEarlyCloses, sessionCloseMinutes } from '@stockpulse/domain';
import { describe, expect, it } from 'vitest';
import { dayOrderExpiry, gtcOrderExpiry, sessionAt, sessionOn } from '../src/index.js';

describe('NYSE sessions', () => {
  it('close at 13:00 on the published early-close days', () => {
    expect([...nyseEarlyCloses(2023)].sort()).toEqual(['2023-07-03', '2023-11-24']);
    expect([...nyseEarlyCloses(2024)].sort()).toEqual(['2024-07-03', '2024-11-29', '2024-12-24']);
    expect([...nyseEarlyCloses(2025)].sort()).toEqual(['2025-07-03', '2025-11-28', '2025-12-24']);
    // July 3, 2026 is the observed Independence Day holiday, not an early close.
    expect([...nyseEarlyCloses(2026)].sort()).toEqual(['2026-11-27', '2026-12-24']);
    expect(sessionCloseMinutes('2024-12-24')).toBe(13 * 60);
    expect(sessionCloseMinutes('2024-12-23')).toBe(16 * 60);
  });

  it('are UTC instants across daylight saving time', () => {
    expect(sessionOn('2024-03-08')).toMatchObject({ openMs: Date.parse('2024-03-08T14:30:00Z') });
    expect(sessionOn('2024-03-11')).toMatchObject({
      openMs: Date.parse('2024-03-11T13:30:00Z'),
      closeMs: Date.parse('2024-03-11T20:00:00Z'),
      earlyClose: false,
    });
    expect(sessionOn('2024-07-03')).toMatchObject({
      closeMs: Date.parse('2024-07-03T17:00:00Z'),
      earlyClose: true,
    });
    expect(sessionOn('2024-07-04')).toBeNull();
  });

  it('include the open and exclude the close', () => {
    expect(sessionAt(Date.parse('2024-03-05T14:30:00Z'))?.date).toBe('2024-03-05');
    expect(sessionAt(Date.parse('2024-03-05T14:29:59Z'))).toBeNull();
    expect(sessionAt(Date.parse('2024-03-05T21:00:00Z'))).toBeNull();
    expect(sessionAt(Date.parse('2024-03-09T15:00:00Z'))).toBeNull(); // Saturday
  });

  it('end DAY orders at the close of the current or next session', () => {
    expect(dayOrderExpiry(Date.parse('2024-03-05T12:00:00Z'))).toBe('2024-03-05T21:00:00.000Z'); // pre-open
    expect(dayOrderExpiry(Date.parse('2024-03-05T22:00:00Z'))).toBe('2024-03-06T21:00:00.000Z'); // after close
    expect(dayOrderExpiry(Date.parse('2024-03-09T15:00:00Z'))).toBe('2024-03-11T20:00:00.000Z'); // weekend, DST
    expect(dayOrderExpiry(Date.parse('2024-07-03T18:00:00Z'))).toBe('2024-07-05T20:00:00.000Z'); // early close, holiday
  });

  it('end GTC orders at the first close at least 90 days on', () => {
    expect(gtcOrderExpiry(Date.parse('2024-03-05T15:00:00Z'))).toBe('2024-06-03T20:00:00.000Z');
    // 90 days after 2024-04-05 is Thursday 2024-07-04 (a holiday): the next close is Friday's.
    expect(gtcOrderExpiry(Date.parse('2024-04-05T15:00:00Z'))).toBe('2024-07-05T20:00:00.000Z');
  });
});
