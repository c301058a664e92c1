import type { ResumePoint } from './cursor';
import { vendorQuery } from './leads';
import { normalizeLead, type TimedLead } from './normalize';
import { ArrivalOrder } from './order';
import { FIRST_PAGE, fetchLeadPages } from './pagination';
import { utcDay } from './time';
import type { VendorClient } from './transport';
import type { LeadQuery, PagePosition } from './types';

export interface ScanOptions {
	maxPages: number;
	includeRaw: boolean;
	largestPage?: number;
	resume?: ResumePoint;
	/** Ignore leads whose time cannot be read (the trigger cannot place them in its window). */
	skipUntimed?: (record: unknown) => void;
	/**
	 * Leads more than this older than the newest one seen do not matter (the trigger's kept
	 * period): newest-first order may stop there even before `fromMs`.
	 */
	relevantSpanMs?: number;
	/** Host time after which no further page is started: the scan then reports where it stopped. */
	stopAfterMs?: number;
	/** Continue a scan `stopAfterMs` cut short (same `fromMs`): start at this page, no anchor check. */
	continueAt?: PagePosition;
}

export interface ScanResult {
	/** Every lead seen at or after the window start, each id once, in server order. */
	leads: TimedLead[];
	largestPage: number;
	/** Where to resume next time, when the server proved oldest-first order. */
	resume?: ResumePoint;
	/** Set when `stopAfterMs` cut the scan short: where the rest begins. */
	stoppedAt?: PagePosition;
	requests: number;
}

interface PageRun {
	leads: TimedLead[];
	largestPage: number;
	order: ArrivalOrder;
	/** The last page that starts before the window: leads that still count can only land after its first lead. */
	anchor?: { position: PagePosition; anchorId: string };
	stoppedAt?: PagePosition;
}

/** Pages from `start` on, stopping early once newest-first order proves the rest is old. */
async function scanFrom(
	client: VendorClient,
	query: LeadQuery,
	fromMs: number,
	start: PagePosition,
	anchorId: string | undefined,
	options: ScanOptions,
): Promise<PageRun | 'moved'> {
	const run: PageRun = { leads: [], largestPage: options.largestPage ?? 0, order: new ArrivalOrder() };
	const seen = new Set<string>();
	const paging = { maxPages: options.maxPages, start, largestPage: options.largestPage };
	let newest = -Infinity;
	for await (const page of fetchLeadPages(client, query, paging)) {
		const timed = page.records.map((record) => normalizeLead(client.provider, record, query, options.includeRaw));
		if (page.index === 1 && anchorId !== undefined && timed[0]?.lead.id !== anchorId) return 'moved';
		run.largestPage = page.largestPage;
		if (timed.length > 0 && timed[0].createdAtMs < fromMs) run.anchor = { position: page.position, anchorId: timed[0].lead.id };
		for (const lead of timed) {
			run.order.see(lead.createdAtMs);
			if (lead.createdAtMs > newest) newest = lead.createdAtMs;
			if (Number.isNaN(lead.createdAtMs)) options.skipUntimed?.(lead.lead.raw ?? lead.lead.id);
			else if (lead.createdAtMs >= fromMs && !seen.has(lead.lead.id)) {
				seen.add(lead.lead.id);
				run.leads.push(lead);
			}
		}
		if (run.order.provablyOlderThan(Math.max(fromMs, newest - (options.relevantSpanMs ?? Infinity)))) break;
		if (page.following && options.stopAfterMs !== undefined && Date.now() >= options.stopAfterMs) {
			run.stoppedAt = page.following;
			break;
		}
	}
	return run;
}

/**
 * Every lead created at or after `fromMs` (-Infinity: all), as cheaply as the vendor allows: its date filter from
 * that day, an early stop when newest-first order proves the rest older, and, where the server
 * returns oldest first, a resume at the page where the previous poll's window began: every lead
 * before that page's first lead is older than the window, and any lead that still counts sorts
 * after it. If that page no longer starts with the same lead, the pages moved: scan from the start.
 */
export async function scanLeadsSince(
	client: VendorClient,
	baseQuery: LeadQuery,
	fromMs: number,
	options: ScanOptions,
): Promise<ScanResult> {
	const startDate = Number.isFinite(fromMs) ? utcDay(fromMs) : undefined;
	const query = vendorQuery(client.provider, { ...baseQuery, startDate, endDate: undefined });
	const queryKey = JSON.stringify([query.chatbotId, query.params, query.startDate]);
	const resume = options.resume?.queryKey === queryKey ? options.resume : undefined;
	let run: PageRun | 'moved' = 'moved';
	if (options.continueAt) run = await scanFrom(client, query, fromMs, options.continueAt, undefined, options);
	else if (resume) run = await scanFrom(client, query, fromMs, resume.position, resume.anchorId, options);
	if (run === 'moved') run = (await scanFrom(client, query, fromMs, FIRST_PAGE, undefined, options)) as PageRun;
	const next = run.anchor && run.order.isAscending() && !options.continueAt ? { queryKey, ...run.anchor } : undefined;
	return { leads: run.leads, largestPage: run.largestPage, resume: next, stoppedAt: run.stoppedAt, requests: client.requestCount() };
}
