import type { LeadQuery, NormalizedLead } from '../lead/types';
import { firstOfEachId, normalizeLead, type TimedLead } from '../lead/normalize';
import { ArrivalOrder } from '../transport/arrivalOrder';
import { fetchLeadPages, type FetchedPage, type PagingOptions } from '../transport/pagination';
import { inRange, rangeOf, vendorQuery } from './query';
import type { VendorClient } from '../transport/request';

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
