import type { IDataObject } from 'n8n-workflow';

import type { VendorClient } from './transport';
import type { LeadProvider, LeadQuery, PagePosition, VendorPage } from './types';
import { VendorResponseError } from './types';

export const FIRST_PAGE: PagePosition = { page: 1 };

export interface PagingOptions {
	/** Page size to ask for; defaults to the provider's largest. */
	pageSize?: number;
	/** Stop with an error past this many pages: a server that never ends must not hang a run. */
	maxPages: number;
	/** Where to start (the trigger resumes near where it stopped). */
	start?: PagePosition;
	/** The largest page this server returned before (the trigger remembers it across polls). */
	largestPage?: number;
}

export interface FetchedPage extends VendorPage {
	position: PagePosition;
	/** 1-based count of pages fetched in this run. */
	index: number;
	/** The largest page seen so far, this one included. */
	largestPage: number;
}

function describeResponseError(provider: LeadProvider, error: VendorResponseError): string {
	if (error.kind === 'vendorError') {
		const hint = /not.?found|not.?exist|invalid.*(bot|uid)/i.test(error.message)
			? ` Check the ${provider.chatbotLabel}.`
			: /date/i.test(error.message)
				? ' Check the Start Date and End Date filters.'
				: /auth|token|key/i.test(error.message)
					? ` Check the API key in your ${provider.displayName} credential.`
					: '';
		return `${provider.displayName} returned an error: ${error.message}.${hint}`;
	}
	return `${provider.displayName} sent a response in an unexpected shape: ${error.message}. Its API may have changed; turn on Include Raw Record on a small query, or report it.`;
}

async function fetchPage(client: VendorClient, query: LeadQuery, position: PagePosition, pageSize: number) {
	const provider = client.provider;
	const body = await client.get(provider.buildRequest(query, position, pageSize), query);
	try {
		return provider.parsePage(body);
	} catch (error) {
		if (error instanceof VendorResponseError) throw client.fail(describeResponseError(provider, error), query);
		throw client.fail(`${provider.displayName} sent a response that could not be read.`, query);
	}
}

/** Tells the last page of page-number paging apart from a page cut short by a server-side cap. */
class PageSizeWatch {
	constructor(
		private readonly requested: number,
		public largest = 0,
	) {}

	/**
	 * A short page ends the list only if an earlier page was longer: otherwise the server may cap
	 * pages at this length, and only an empty page proves the end.
	 */
	isLast(count: number): boolean {
		const last = count === 0 || (count < this.requested && count < this.largest);
		this.largest = Math.max(this.largest, count);
		return last;
	}
}

function pageSignature(records: IDataObject[]): string {
	return records.length === 0 ? '' : JSON.stringify(records);
}

function nextPosition(
	provider: LeadProvider,
	page: VendorPage,
	position: PagePosition,
	sizes: PageSizeWatch,
	fetched: number,
): PagePosition | null {
	if (provider.paging === 'token') return page.next ?? null;
	const pageNumber = 'page' in position ? position.page : 1;
	const shortIsLast = sizes.isLast(page.records.length);
	if (page.records.length === 0) return null;
	// Chatof.ai documents total as all of the chatbot's leads, so with a date filter it only bounds.
	if (provider.paging === 'pageWithTotal' && page.total !== undefined && fetched >= page.total) return null;
	return shortIsLast ? null : { page: pageNumber + 1 };
}

/**
 * Every page of leads for a query, in server order, requested one at a time so a consumer that
 * has enough (a Limit, or the trigger reaching old leads) stops further requests by returning.
 */
export async function* fetchLeadPages(
	client: VendorClient,
	query: LeadQuery,
	options: PagingOptions,
): AsyncGenerator<FetchedPage> {
	const provider = client.provider;
	const pageSize = Math.min(options.pageSize ?? provider.maxPageSize ?? 1, provider.maxPageSize ?? Infinity);
	const sizes = new PageSizeWatch(pageSize, options.largestPage);
	const seenTokens = new Set<string>();
	let position: PagePosition | null = options.start ?? FIRST_PAGE;
	let previous = '';
	// Resuming at page k: the pages before it held at least what the server's pages have held.
	let fetched = 'page' in position ? (position.page - 1) * Math.min(pageSize, options.largestPage ?? 0) : 0;

	for (let index = 1; position; index++) {
		if (index > options.maxPages) {
			throw client.fail(
				`${provider.displayName} kept returning pages after ${options.maxPages} pages. Raise the Max Pages option if this chatbot really has that many leads.`,
				query,
			);
		}
		if ('token' in position) seenTokens.add(position.token);
		const page = await fetchPage(client, query, position, pageSize);
		const signature = pageSignature(page.records);
		if (signature !== '' && signature === previous) {
			throw client.fail(`${provider.displayName} returned the same page twice, so paging would never end. Try again later.`, query);
		}
		previous = signature;
		fetched += page.records.length;
		const next = nextPosition(provider, page, position, sizes, fetched);
		yield { ...page, position, index, largestPage: sizes.largest };
		if (next && 'token' in next && seenTokens.has(next.token)) {
			throw client.fail(
				`${provider.displayName} returned a next-page token it had already returned, so paging would never end. Try again later.`,
				query,
			);
		}
		position = next;
	}
}
