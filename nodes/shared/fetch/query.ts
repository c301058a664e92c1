import type { LeadQuery } from '../lead/types';
import { shiftDay, utcDay, zonedDayEndMs, zonedDayStartMs } from '../lead/time';
import type { LeadProvider } from '../vendors/types';

// The user's date range, and the wider range asked of the vendor.

export interface TimeRange {
	fromMs: number;
	toMs: number;
}

/** The user's whole days in `dateZone` (UTC when unset), inclusive at both ends, as epoch milliseconds. */
export function rangeOf(query: LeadQuery): TimeRange {
	const zone = query.dateZone ?? 'UTC';
	return {
		fromMs: query.startDate ? zonedDayStartMs(query.startDate, zone) : -Infinity,
		toMs: query.endDate ? zonedDayEndMs(query.endDate, zone) : Infinity,
	};
}

/**
 * The query sent to the vendor. No vendor says whether its date filter is inclusive or which zone
 * its days are in, so ask for the UTC days the range touches and a day more on each side, and cut
 * precisely here.
 */
export function vendorQuery(provider: LeadProvider, query: LeadQuery): LeadQuery {
	if (!provider.dateFilter) return { ...query, startDate: undefined, endDate: undefined };
	const range = rangeOf(query);
	return {
		...query,
		startDate: query.startDate ? shiftDay(utcDay(range.fromMs), -1) : undefined,
		endDate: query.endDate ? shiftDay(utcDay(range.toMs), 1) : undefined,
	};
}

export function inRange(ms: number, range: TimeRange): boolean {
	if (range.fromMs === -Infinity && range.toMs === Infinity) return true;
	return !Number.isNaN(ms) && ms >= range.fromMs && ms <= range.toMs;
}
