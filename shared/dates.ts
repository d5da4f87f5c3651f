import * as chrono from 'chrono-node';

const MONTHS = new Map(Object.entries({
  jan: 1, january: 1, feb: 2, february: 2, mar: 3, march: 3, apr: 4, april: 4, may: 5, jun: 6, june: 6,
  jul: 7, july: 7, aug: 8, august: 8, sep: 9, sept: 9, september: 9, oct: 10, october: 10,
  nov: 11, november: 11, dec: 12, december: 12,
}));

// "November 04, 2019", "Nov. 12, 2020", "June 8, 2021", optionally after a weekday.
const MONTH_FIRST = /^(?:[A-Za-z]+,?\s+)?([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$/;
// "12 March 2021", "4 Nov. 2019", optionally after a weekday.
const DAY_FIRST = /^(?:[A-Za-z]+,?\s+)?(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})$/;
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?)?$/;

function pad(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function calendarDate(year: number, month: number, day: number): string | null {
  if (month < 1 || month > 12 || day < 1 || year < 1000 || year > 9999) return null;
  // The Gregorian calendar, as Date uses it (and no Date object to make).
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > DAYS_IN_MONTH[month - 1]! + (month === 2 && leap ? 1 : 0)) return null;
  return `${year}-${pad(month)}-${pad(day)}`;
}

function monthNumber(name: string): number | undefined {
  return MONTHS.get(name.toLowerCase());
}

/**
 * Parses the date forms the formats use, cheaply: ISO 8601 and month-name dates in English.
 * Returns `YYYY-MM-DD` when only a day is known, a UTC timestamp when time and zone are known,
 * `undefined` when the text is not one of these forms (callers may then try `parseLooseDate`).
 *
 * @example
 * parseDate('Nov. 12, 2020')             // '2020-11-12'
 * parseDate('2021-06-08T14:30:00+02:00') // '2021-06-08T12:30:00.000Z'
 */
export function parseDate(text: string): string | null | undefined {
  const value = text.trim();
  if (value.length < 8 || value.length > 40) return undefined;
  let m = ISO.exec(value);
  if (m) {
    const day = calendarDate(Number(m[1]), Number(m[2]), Number(m[3]));
    if (day === null) return null;
    if (m[4] === undefined || m[7] === undefined) return day;
    const zone = m[7] === 'Z' ? 'Z' : m[7].length === 5 ? `${m[7].slice(0, 3)}:${m[7].slice(3)}` : m[7];
    const time = new Date(`${day}T${m[4]}:${m[5]}:${m[6] ?? '00'}${zone}`);
    return Number.isNaN(time.getTime()) ? day : time.toISOString();
  }
  m = MONTH_FIRST.exec(value);
  if (m) {
    const month = monthNumber(m[1]!);
    return month === undefined ? undefined : calendarDate(Number(m[3]), month, Number(m[2]));
  }
  m = DAY_FIRST.exec(value);
  if (m) {
    const month = monthNumber(m[2]!);
    return month === undefined ? undefined : calendarDate(Number(m[3]), month, Number(m[1]));
  }
  return undefined;
}

/**
 * Parses any date a human or a feed might write (`Tue, 08 Jun 2021 14:30:00 GMT`, `2021/06/08`),
 * with chrono-node as the fallback after `parseDate`. A timestamp is returned only when the text
 * states both a time and a zone; otherwise the calendar day.
 */
export function parseLooseDate(text: string): string | null {
  const fast = parseDate(text);
  if (fast !== undefined) return fast;
  const value = text.trim();
  if (value === '' || value.length > 80) return null;
  const [result] = chrono.strict.parse(value, new Date(Date.UTC(2000, 0, 1)), { forwardDate: false });
  if (!result || !result.start.isCertain('year') || !result.start.isCertain('month') || !result.start.isCertain('day')) {
    return null;
  }
  const start = result.start;
  if (start.isCertain('hour') && start.isCertain('timezoneOffset')) return start.date().toISOString();
  return calendarDate(start.get('year')!, start.get('month')!, start.get('day')!);
}

// What a date line must show before the general parser (slow: tens of microseconds) is asked:
// a month name, or a numeric date like 2021/06/08 or 08.06.2021.
const FOUR_DIGITS = /\d{4}/;
const LOOKS_LIKE_DATE = /\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b|\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}/i;

/** True when the whole line is a date (used to recognize the date line of the article format). */
export function dateLine(line: string): string | null {
  const fast = parseDate(line);
  if (fast !== undefined) return fast;
  if (line.length > 50 || !FOUR_DIGITS.test(line) || !LOOKS_LIKE_DATE.test(line)) return null;
  const [result] = chrono.strict.parse(line);
  if (!result || result.index !== 0 || result.text.length < line.trim().length - 1) return null;
  return parseLooseDate(line);
}
