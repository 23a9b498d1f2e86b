// The intraday simulator lives in @stockpulse/domain (the broker's feed uses it too).
export { type MinuteBar, SESSION_MINUTES, simulateMinuteBars } from '@stockpulse/domain';
