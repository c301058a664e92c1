import type { IPollFunctions } from 'n8n-workflow';

import type { ChatbotCursorState } from './state/cursorState';
import type { TimedLead } from '../shared/lead/normalize';
import type { LeadQuery } from '../shared/lead/types';
import type { LeadProvider } from '../shared/vendors/types';
import { HOUR_MS } from '../shared/lead/time';

/** A lead just captured is never this far ahead of the host's clock... */
const AHEAD_TOLERANCE_MS = 30 * 60_000;
/** ...nor this far behind the previous poll it was not yet in. */
const BEHIND_TOLERANCE_MS = 90 * 60_000;

/** Hours the newest new lead sits away from when it can have been captured, or 0 when plausible. */
function apparentShiftHours(newestMs: number, previousPollMs: number, hostNow: number): number {
	if (newestMs > hostNow + AHEAD_TOLERANCE_MS) return Math.round((newestMs - hostNow) / HOUR_MS);
	if (newestMs < previousPollMs - BEHIND_TOLERANCE_MS) return -Math.round((previousPollMs - newestMs) / HOUR_MS);
	return 0;
}

function message(provider: LeadProvider, query: LeadQuery, hours: number): string {
	const where = `${provider.displayName} ${provider.chatbotLabel} "${query.chatbotId}"`;
	const offset = `about ${Math.abs(hours)} hours ${hours > 0 ? 'ahead of' : 'behind'} this n8n server's clock`;
	const cause = provider.zonelessTimestamps
		? `${provider.displayName} writes times without a zone and they are read as ${query.timeZone}. If the account uses another zone, set Options > Time Zone of Vendor Timestamps to it so createdAt is right.`
		: `Its times carry a zone, so the vendor's clock (or this server's) is probably off; createdAt shows the vendor's time.`;
	return `Chatbot Leads Trigger: the newest lead of ${where} is timed ${offset}. ${cause} New leads are emitted either way: the trigger compares lead times only with each other.`;
}

/**
 * Logs once (per offset) when the newest new lead's time looks shifted against the host's clock.
 * Only a warning: whether a lead is new never depends on the host's clock. Returns the offset to
 * remember, or undefined when there is nothing new to remember.
 */
export function shiftedTimesWarning(
	ctx: IPollFunctions,
	provider: LeadProvider,
	query: LeadQuery,
	previous: ChatbotCursorState,
	fresh: TimedLead[],
	hostNow: number,
): number | undefined {
	let newest = -Infinity;
	for (const timed of fresh) newest = Math.max(newest, timed.createdAtMs);
	// Only a lead newer than every earlier one was captured since the last poll (or is late).
	if (!Number.isFinite(newest) || (previous.highMs !== undefined && newest <= previous.highMs)) return undefined;
	const hours = apparentShiftHours(newest, previous.polledAt ?? hostNow, hostNow);
	if (hours === 0 || hours === previous.zoneWarning) return undefined;
	ctx.logger.warn(message(provider, query, hours));
	return hours;
}
