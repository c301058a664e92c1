import type { LeadQuery, NormalizedLead } from '../lead/types';
import type { LeadProvider } from '../vendors/types';
import { normalizeLead, type TimedLead } from '../lead/normalize';
import { ArrivalOrder } from '../transport/arrivalOrder';
import { fetchLeadPages, type PagingOptions } from '../transport/pagination';
import { shiftDay, utcDay, zonedDayEndMs, zonedDayStartMs } from '../lead/time';
import type { VendorClient } from '../transport/request';

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

function inRange(ms: number, range: TimeRange): boolean {
	if (range.fromMs === -Infinity && range.toMs === Infinity) return true;
	return !Number.isNaN(ms) && ms >= range.fromMs && ms <= range.toMs;
}

export interface CollectOptions {
	/** Stop after this many leads; undefined for all. */
	limit?: number;
	includeRaw: boolean;
	paging: PagingOptions;
}

/**
 * Every lead matching the query (or the first `limit`), normalized, each id once, in server
 * order. Stops requesting as soon as it has enough or the rest is provably before the range.
 */
export async function collectLeads(
	client: VendorClient,
	query: LeadQuery,
	options: CollectOptions,
): Promise<NormalizedLead[]> {
	const provider = client.provider;
	const range = rangeOf(query);
	const order = new ArrivalOrder();
	const seen = new Set<string>();
	const leads: NormalizedLead[] = [];
	const paging = { ...options.paging, pageSize: options.limit ?? options.paging.pageSize, wanted: options.limit };

	for await (const page of fetchLeadPages(client, vendorQuery(provider, query), paging)) {
		for (const record of page.records) {
			const timed: TimedLead = normalizeLead(provider, record, query, options.includeRaw);
			order.see(timed.createdAtMs);
			if (!inRange(timed.createdAtMs, range) || seen.has(timed.lead.id)) continue;
			seen.add(timed.lead.id);
			leads.push(timed.lead);
			if (options.limit !== undefined && leads.length >= options.limit) return leads;
		}
		if (order.provablyOlderThan(range.fromMs)) break;
	}
	return leads;
}
