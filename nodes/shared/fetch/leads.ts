import type { LeadQuery, NormalizedLead } from '../lead/types';
import type { LeadProvider } from '../vendors/types';
import { firstOfEachId, normalizeLead, type TimedLead } from '../lead/normalize';
import { ArrivalOrder } from '../transport/arrivalOrder';
import { fetchLeadPages, type FetchedPage, type PagingOptions } from '../transport/pagination';
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

/** A page of leads as the vendor sent them, normalized (in server order, duplicates included). */
export interface LeadPage extends FetchedPage {
	leads: TimedLead[];
}

/** The one way leads are read: every page of a query (as `fetchLeadPages` pages it), normalized. */
export async function* readLeadPages(client: VendorClient, query: LeadQuery, paging: PagingOptions, includeRaw: boolean): AsyncGenerator<LeadPage> {
	for await (const page of fetchLeadPages(client, query, paging)) {
		yield { ...page, leads: page.records.map((record) => normalizeLead(client.provider, record, query, includeRaw)) };
	}
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
export async function collectLeads(client: VendorClient, query: LeadQuery, options: CollectOptions): Promise<NormalizedLead[]> {
	const range = rangeOf(query);
	const order = new ArrivalOrder();
	const seen = new Set<string>();
	const leads: NormalizedLead[] = [];
	const paging = { ...options.paging, pageSize: options.limit ?? options.paging.pageSize, wanted: options.limit };

	for await (const page of readLeadPages(client, vendorQuery(client.provider, query), paging, options.includeRaw)) {
		for (const timed of page.leads) order.see(timed.createdAtMs);
		for (const timed of firstOfEachId(page.leads.filter((lead) => inRange(lead.createdAtMs, range)), seen)) {
			leads.push(timed.lead);
			if (options.limit !== undefined && leads.length >= options.limit) return leads;
		}
		if (order.provablyOlderThan(range.fromMs)) break;
	}
	return leads;
}
