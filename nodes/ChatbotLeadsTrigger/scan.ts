import { NodeApiError } from 'n8n-workflow';

import type { ResumePoint } from './state/cursorState';
import { readLeadPages } from '../shared/fetch/leads';
import { vendorQuery } from '../shared/fetch/query';
import { firstOfEachId, type TimedLead } from '../shared/lead/normalize';
import { ArrivalOrder } from '../shared/transport/arrivalOrder';
import { FIRST_PAGE } from '../shared/transport/pagination';
import { settle } from '../shared/transport/pool';
import { utcDay } from '../shared/lead/time';
import { isBudgetSpent, type VendorClient } from '../shared/transport/request';
import type { LeadQuery } from '../shared/lead/types';
import type { PagePosition } from '../shared/vendors/types';

export interface ScanOptions {
	maxPages: number;
	includeRaw: boolean;
	largestPage?: number;
	resume?: ResumePoint;
	/**
	 * Only when every lead read is merely recorded (a trigger's first poll): leads more than this
	 * older than the newest one seen do not matter, so newest-first order may stop there.
	 */
	existingOnlySpanMs?: number;
	/** Host time after which no further page is started: the scan then reports where it stopped. */
	stopAfterMs?: number;
	/** Continue a scan `stopAfterMs` cut short (same `fromMs`): start at this page, no anchor check. */
	continueAt?: PagePosition;
}

export interface ScanResult {
	/** Every lead seen at or after the window start, each id once, in server order. */
	leads: TimedLead[];
	/** Leads whose time could not be read, each id once: no window can place them. */
	untimed: TimedLead[];
	largestPage: number;
	/** Where to resume next time, when the server proved oldest-first order. */
	resume?: ResumePoint;
	/** Set when `stopAfterMs` cut the scan short: where the rest begins. */
	stoppedAt?: PagePosition;
	/** Why a stored position was given up and the scan started again from its first page. */
	restartedBecause?: string;
	requests: number;
}

interface PageRun {
	leads: TimedLead[];
	untimed: TimedLead[];
	largestPage: number;
	order: ArrivalOrder;
	/** The last page that starts before the window: leads that still count can only land after its first lead. */
	anchor?: { position: PagePosition; anchorId: string };
	stoppedAt?: PagePosition;
	/** The newest lead time read. */
	newest: number;
	/** Where the page being fetched starts: if the poll's budget ends during it, the rest begins there. */
	fetching: PagePosition;
}

/** Takes one page's leads into the run: each id once, untimed apart, none before `fromMs`. */
function takePage(run: PageRun, seen: Set<string>, timed: TimedLead[], fromMs: number): void {
	for (const lead of timed) {
		run.order.see(lead.createdAtMs);
		if (lead.createdAtMs > run.newest) run.newest = lead.createdAtMs;
	}
	const taken = timed.filter((lead) => Number.isNaN(lead.createdAtMs) || lead.createdAtMs >= fromMs);
	for (const lead of firstOfEachId(taken, seen)) (Number.isNaN(lead.createdAtMs) ? run.untimed : run.leads).push(lead);
}

/** Pages from `start` on into `run`, stopping early once newest-first order proves the rest is old. */
async function readPages(
	client: VendorClient,
	query: LeadQuery,
	fromMs: number,
	run: PageRun,
	anchorId: string | undefined,
	options: ScanOptions,
): Promise<PageRun | 'moved'> {
	const seen = new Set<string>();
	const paging = { maxPages: options.maxPages, start: run.fetching, largestPage: options.largestPage };
	for await (const page of readLeadPages(client, query, paging, options.includeRaw)) {
		const timed = page.leads;
		if (page.index === 1 && anchorId !== undefined && timed[0]?.lead.id !== anchorId) return 'moved';
		run.largestPage = page.largestPage;
		if (timed.length > 0 && timed[0].createdAtMs < fromMs) run.anchor = { position: page.position, anchorId: timed[0].lead.id };
		takePage(run, seen, timed, fromMs);
		if (run.order.provablyOlderThan(Math.max(fromMs, run.newest - (options.existingOnlySpanMs ?? Infinity)))) break;
		if (!page.following) break;
		run.fetching = page.following;
		if (options.stopAfterMs !== undefined && Date.now() >= options.stopAfterMs) {
			run.stoppedAt = page.following;
			break;
		}
	}
	return run;
}

/** Pages from `start` on. A poll budget that runs out after some pages keeps them and says where the rest begins. */
async function scanFrom(
	client: VendorClient,
	query: LeadQuery,
	fromMs: number,
	start: PagePosition,
	anchorId: string | undefined,
	options: ScanOptions,
): Promise<PageRun | 'moved'> {
	const run: PageRun = { leads: [], untimed: [], largestPage: options.largestPage ?? 0, order: new ArrivalOrder(), newest: -Infinity, fetching: start };
	const outcome = await settle(async () => await readPages(client, query, fromMs, run, anchorId, options));
	if ('value' in outcome) return outcome.value;
	if (!isBudgetSpent(outcome.error) || run.fetching === start) throw outcome.error;
	run.stoppedAt = run.fetching;
	return run;
}

/** Statuses that say nothing about the page asked for: starting again from the first page cannot help. */
const POSITION_BLIND_STATUSES = new Set(['401', '403', '429']);

/**
 * Whether a scan that failed at a stored position (a page or token saved by an earlier poll) should
 * start again from the first page: a vendor may stop taking an old token or page for any reason.
 */
function mayStartAgain(error: unknown): boolean {
	if (isBudgetSpent(error)) return false;
	return !(error instanceof NodeApiError && POSITION_BLIND_STATUSES.has(String(error.httpCode)));
}

/** The vendor's own words when it gave any ("Robofy said: ..."), else the error's message. */
function refusalText(error: unknown): string {
	if (error instanceof NodeApiError && error.description) return error.description;
	return error instanceof Error ? error.message : String(error);
}

/** Pages from a stored position; one the vendor refuses gives way to the first page (`restartedBecause`). */
async function scanFromStored(
	client: VendorClient,
	query: LeadQuery,
	fromMs: number,
	options: ScanOptions,
	resume: ResumePoint | undefined,
): Promise<{ run: PageRun | 'moved'; restartedBecause?: string }> {
	const stored = options.continueAt ?? resume?.position;
	if (stored === undefined) return { run: 'moved' };
	const anchorId = options.continueAt ? undefined : resume?.anchorId;
	const outcome = await settle(async () => await scanFrom(client, query, fromMs, stored, anchorId, options));
	if ('value' in outcome) return { run: outcome.value };
	if (!mayStartAgain(outcome.error)) throw outcome.error;
	return { run: 'moved', restartedBecause: refusalText(outcome.error) };
}

/**
 * Every lead created at or after `fromMs` (-Infinity: all), as cheaply as the vendor allows: its date filter from
 * that day, an early stop when newest-first order proves the rest older, and, where the server
 * returns oldest first, a resume at the page where the previous poll's window began: every lead
 * before that page's first lead is older than the window, and any lead that still counts sorts
 * after it. If that page no longer starts with the same lead, or the vendor no longer takes the
 * stored page or token, the scan starts again from the first page.
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
	const stored = await scanFromStored(client, query, fromMs, options, resume);
	const run = stored.run === 'moved' ? ((await scanFrom(client, query, fromMs, FIRST_PAGE, undefined, options)) as PageRun) : stored.run;
	const resumable = run.anchor && run.order.isAscending() && !options.continueAt && !run.stoppedAt;
	const next = resumable ? { queryKey, ...run.anchor! } : undefined;
	return {
		leads: run.leads,
		untimed: run.untimed,
		largestPage: run.largestPage,
		resume: next,
		stoppedAt: run.stoppedAt,
		restartedBecause: stored.restartedBecause,
		requests: client.requestCount(),
	};
}
