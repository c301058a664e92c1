import type { IDataObject } from 'n8n-workflow';

import type { VendorClient } from './request';
import type { LeadQuery } from '../lead/types';
import type { LeadProvider, PagePosition, VendorPage } from '../vendors/types';
import { VendorResponseError } from '../vendors/errors';

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
	/** Pages requested at once where the vendor reports a total (default 1: one at a time). */
	concurrency?: number;
	/** How many leads the caller wants at most, so read-ahead stops there. */
	wanted?: number;
}

export interface FetchedPage extends VendorPage {
	position: PagePosition;
	/** Where paging goes on after this page; null when this was the last. */
	following: PagePosition | null;
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

async function fetchPage(
	client: VendorClient,
	query: LeadQuery,
	position: PagePosition,
	pageSize: number,
	signal?: AbortSignal,
) {
	const provider = client.provider;
	const body = await client.get(provider.buildRequest(query, position, pageSize), query, signal);
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

/** Stops paging that would never end: too many pages, a page repeated, a token returned again. */
class LoopGuard {
	private readonly tokens = new Set<string>();

	private previous = '';

	constructor(
		private readonly client: VendorClient,
		private readonly query: LeadQuery,
		private readonly maxPages: number,
	) {}

	beforePage(index: number, position: PagePosition): void {
		const vendor = this.client.provider.displayName;
		if (index > this.maxPages) {
			throw this.client.fail(
				`${vendor} kept returning pages after ${this.maxPages} pages. Raise the Max Pages option if this chatbot really has that many leads.`,
				this.query,
			);
		}
		if ('token' in position) this.tokens.add(position.token);
	}

	afterPage(records: IDataObject[], next: PagePosition | null): void {
		const vendor = this.client.provider.displayName;
		const signature = pageSignature(records);
		if (signature !== '' && signature === this.previous) {
			throw this.client.fail(`${vendor} returned the same page twice, so paging would never end. Try again later.`, this.query);
		}
		this.previous = signature;
		if (next && 'token' in next && this.tokens.has(next.token)) {
			throw this.client.fail(
				`${vendor} returned a next-page token it had already returned, so paging would never end. Try again later.`,
				this.query,
			);
		}
	}
}

/**
 * Every page of leads for a query, in server order. A consumer that has enough (a Limit, or the
 * trigger reaching old leads) stops further requests by returning.
 */
export async function* fetchLeadPages(
	client: VendorClient,
	query: LeadQuery,
	options: PagingOptions,
): AsyncGenerator<FetchedPage> {
	const provider = client.provider;
	const pageSize = Math.min(options.pageSize ?? provider.maxPageSize ?? 1, provider.maxPageSize ?? Infinity);
	const sizes = new PageSizeWatch(pageSize, options.largestPage);
	const guard = new LoopGuard(client, query, options.maxPages);
	const ahead = new PageReadAhead(client, query, pageSize, options);
	let position: PagePosition | null = options.start ?? FIRST_PAGE;
	// Resuming at page k: the pages before it held at least what the server's pages have held.
	let fetched = 'page' in position ? (position.page - 1) * Math.min(pageSize, options.largestPage ?? 0) : 0;

	try {
		for (let index = 1; position; index++) {
			guard.beforePage(index, position);
			const page = await ahead.take(position);
			fetched += page.records.length;
			const next = nextPosition(provider, page, position, sizes, fetched);
			guard.afterPage(page.records, next);
			if (next && 'page' in next) ahead.plan(next.page, page.total, sizes.largest, fetched, options.maxPages - index);
			yield { ...page, position, following: next, index, largestPage: sizes.largest };
			position = next;
		}
	} finally {
		ahead.cancel();
	}
}

/**
 * Where the vendor reports a total, the pages after the first can be requested together. Pages
 * are still consumed one by one, in order, with every check; a read-ahead page that turns out
 * to be past the end is simply dropped (at most `concurrency - 1` of them).
 */
class PageReadAhead {
	private readonly pending = new Map<number, Promise<VendorPage>>();

	private readonly abort = new AbortController();

	constructor(
		private readonly client: VendorClient,
		private readonly query: LeadQuery,
		private readonly pageSize: number,
		private readonly options: PagingOptions,
	) {}

	async take(position: PagePosition): Promise<VendorPage> {
		const pageNumber = 'page' in position ? position.page : undefined;
		const ready = pageNumber === undefined ? undefined : this.pending.get(pageNumber);
		if (pageNumber !== undefined) this.pending.delete(pageNumber);
		return await (ready ?? fetchPage(this.client, this.query, position, this.pageSize));
	}

	/** When paging ends (done, failed, or the caller has enough), requests still open are dropped. */
	cancel(): void {
		this.abort.abort();
	}

	/** Starts requests for the pages from `from` on that the total says exist, up to the concurrency. */
	plan(from: number, total: number | undefined, perPage: number, fetched: number, pagesLeft: number): void {
		const concurrency = this.options.concurrency ?? 1;
		if (concurrency <= 1 || total === undefined || perPage === 0) return;
		const byTotal = from + Math.ceil((total - fetched) / perPage) - 1;
		const byWanted = this.options.wanted === undefined ? Infinity : from + Math.ceil((this.options.wanted - fetched) / perPage) - 1;
		const last = Math.min(byTotal, byWanted, from + concurrency - 1, from + pagesLeft - 1);
		for (let page = from; page <= last; page++) {
			if (this.pending.has(page)) continue;
			const request = fetchPage(this.client, this.query, { page }, this.pageSize, this.abort.signal);
			// A read-ahead page may never be taken; its failure must not go unhandled.
			request.catch(() => undefined);
			this.pending.set(page, request);
		}
	}
}
