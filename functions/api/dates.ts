/**
 * Date parameters (`from`, `to`) in the form the store compares them with: stored
 * `publishedAt` values are `YYYY-MM-DD` or a UTC timestamp `YYYY-MM-DDTHH:MM:SS.sssZ`, and the
 * store treats a bound as a prefix (`to=2019-11` is the whole of November).
 */

const CALENDAR = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/;
const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-](\d{2}):(\d{2}))$/i;
// Sorts after every character of a date, so `<to>` + HIGH bounds "everything that starts with <to>".
const HIGH = '\uffff';

/**
 * The canonical form of a date parameter, or null when it is not one: a calendar prefix
 * (`YYYY`, `YYYY-MM`, `YYYY-MM-DD`) stays as it is; a timestamp with a zone becomes the UTC
 * form the parser stores (`toISOString()`). A timestamp without a zone is refused: which day
 * it means depends on a zone nobody stated.
 *
 * @example
 * normalizeDate('2024-02-29')                // '2024-02-29'
 * normalizeDate('2024-02-30')                // null
 * normalizeDate('2024-05-01T12:30+02:00')    // '2024-05-01T10:30:00.000Z'
 * normalizeDate('2024-05-01T12:30')          // null
 */
export function normalizeDate(value: string): string | null {
  const calendar = CALENDAR.exec(value);
  if (calendar !== null) {
    const [, year, month, day] = calendar;
    if (month !== undefined && !validDay(Number(year), Number(month), day === undefined ? 1 : Number(day))) return null;
    return value;
  }
  const time = TIMESTAMP.exec(value);
  if (time === null) return null;
  const [, year, month, day, hour, minute, second = '00', fraction = '', zone, zoneHours, zoneMinutes] = time;
  if (!validDay(Number(year), Number(month), Number(day))) return null;
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59) return null;
  if (zoneHours !== undefined && (Number(zoneHours) > 23 || Number(zoneMinutes) > 59)) return null;
  const millis = fraction.padEnd(3, '0').slice(0, 3);
  const parsed = new Date(`${year}-${month}-${day}T${hour}:${minute}:${second}.${millis}${zone!.toUpperCase()}`);
  if (Number.isNaN(parsed.getTime())) return null;
  const iso = parsed.toISOString();
  // A zone can move year 0000 or 9999 out of the four-digit range the store's keys use.
  return /^\d{4}-/.test(iso) ? iso : null;
}

/**
 * Whether no `publishedAt` can be both `>= from` and inside `to` (prefix-inclusive): the
 * store's own rule for an empty range, so a 400 is given exactly when the range is empty.
 *
 * @example
 * isEmptyRange('2024-05-02', '2024-05-01')             // true
 * isEmptyRange('2024-05-01T10:00:00.000Z', '2024-05-01') // false: 10:00 is within that day
 */
export function isEmptyRange(from: string, to: string): boolean {
  return from > `${to}${HIGH}`;
}

/** The `from`/`to` bounds as the store applies them to a sort key (`1#<publishedAt>#<id>`). */
export function inDateRange(sortKey: string, from: string | undefined, to: string | undefined): boolean {
  if (from !== undefined && sortKey < `1#${from}`) return false;
  if (to !== undefined && (sortKey < '1#' || sortKey > `1#${to}${HIGH}`)) return false;
  return true;
}

function validDay(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
  return day <= days;
}
