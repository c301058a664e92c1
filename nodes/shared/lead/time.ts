/** Date and time-zone helpers without luxon: n8n does not guarantee it resolves from a community package. */

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;
const ZONED = /(Z|[+-]\d{2}(:?\d{2})?)$/i;
const LOCAL = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?$/;

export function isValidTimeZone(zone: string): boolean {
	try {
		new Intl.DateTimeFormat('en-US', { timeZone: zone });
		return true;
	} catch {
		return false;
	}
}

/** Milliseconds `zone` is ahead of UTC at the instant `utcMs`. */
function zoneOffsetMs(zone: string, utcMs: number): number {
	const parts = new Intl.DateTimeFormat('en-US', {
		timeZone: zone,
		hourCycle: 'h23',
		year: 'numeric',
		month: '2-digit',
		day: '2-digit',
		hour: '2-digit',
		minute: '2-digit',
		second: '2-digit',
	}).formatToParts(new Date(utcMs));
	const get = (type: string) => Number(parts.find((part) => part.type === type)?.value);
	const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
	return asUtc - Math.floor(utcMs / 1000) * 1000;
}

/** A wall-clock time in `zone` as UTC milliseconds (two passes settle DST edges). */
function wallTimeToUtc(wallMs: number, zone: string): number {
	if (zone === 'UTC') return wallMs;
	let utc = wallMs - zoneOffsetMs(zone, wallMs);
	utc = wallMs - zoneOffsetMs(zone, utc);
	return utc;
}

/**
 * A vendor timestamp as epoch milliseconds, or NaN. Strings with a zone or offset are read as
 * written; zoneless ones (`2025-01-15 10:30:00`) are wall time in `zone`.
 */
export function parseVendorTime(value: unknown, zone: string): number {
	if (typeof value === 'number') return value > 1e11 ? value : value * 1000;
	if (typeof value !== 'string' || value.trim() === '') return NaN;
	const text = value.trim();
	const local = LOCAL.exec(text);
	if (local && !ZONED.test(text)) {
		const [, y, mo, d, h, mi, s, frac] = local;
		const ms = frac ? Number(frac.slice(0, 3).padEnd(3, '0')) : 0;
		const wall = Date.UTC(+y, +mo - 1, +d, +h, +mi, s ? +s : 0, ms);
		return wallTimeToUtc(wall, zone);
	}
	// Postgres writes microseconds ("…00.123456+00:00"); Date.parse wants at most milliseconds.
	return Date.parse(text.replace(/(\.\d{3})\d+/, '$1').replace(' ', 'T'));
}

export function toIsoOrNull(ms: number): string | null {
	return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

/** `YYYY-MM-DD` of a UTC instant. */
export function utcDay(ms: number): string {
	return new Date(ms).toISOString().slice(0, 10);
}

export function shiftDay(day: string, days: number): string {
	return utcDay(Date.parse(`${day}T00:00:00.000Z`) + days * DAY_MS);
}

export function dayStartMs(day: string): number {
	return Date.parse(`${day}T00:00:00.000Z`);
}

/** `YYYY-MM-DD` of the wall clock in `zone` at the instant `utcMs`. */
function zonedDay(utcMs: number, zone: string): string {
	return utcDay(utcMs + zoneOffsetMs(zone, utcMs));
}

/**
 * The instant `day` (YYYY-MM-DD) begins in IANA `zone`. Midnight under the offset of the day
 * before or of the day after: the earliest that is on `day` there. Where a DST change skips
 * midnight (Santiago, Havana), the day begins at the change.
 */
export function zonedDayStartMs(day: string, zone: string): number {
	const wall = dayStartMs(day);
	if (zone === 'UTC') return wall;
	const candidates = [wall - zoneOffsetMs(zone, wall - DAY_MS), wall - zoneOffsetMs(zone, wall + DAY_MS)];
	const onDay = candidates.filter((ms) => zonedDay(ms, zone) === day);
	return Math.min(...(onDay.length > 0 ? onDay : candidates));
}

/** The last millisecond of `day` in IANA `zone` (23 or 25 hours after its start on DST days). */
export function zonedDayEndMs(day: string, zone: string): number {
	return zonedDayStartMs(shiftDay(day, 1), zone) - 1;
}
