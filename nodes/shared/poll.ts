import type { IDataObject, INodeExecutionData, IPollFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { LeadCursor } from './cursor';
import type { TimedLead } from './normalize';
import { readLeadQuery, readProvider, readRunOptions, type ParameterReader, type RunOptions } from './params';
import { scanLeadsSince } from './scan';
import { createVendorClient, type VendorClient } from './transport';
import type { LeadProvider, LeadQuery } from './types';
import { checkDay, checkPositive } from './validate';

const MINUTE_MS = 60_000;
const SAMPLE_DAYS = 30;

interface TriggerSettings {
	provider: LeadProvider;
	query: LeadQuery;
	run: RunOptions;
	lookBackMs: number;
	/** First poll: emit leads since this instant, or (undefined) only remember what exists. */
	emitSinceMs?: number;
}

function readSettings(ctx: IPollFunctions): TriggerSettings {
	const node = ctx.getNode();
	const read: ParameterReader = (name, fallback, extractValue) =>
		ctx.getNodeParameter(name, fallback, { extractValue: extractValue === true });
	const provider = readProvider(node, 0, read('provider', ''));
	const query = readLeadQuery(node, 0, provider, read, false);
	const options = (read('options', {}) ?? {}) as IDataObject;
	const lookBack = options.lookBackMinutes === undefined ? 60 : options.lookBackMinutes;
	const settings: TriggerSettings = {
		provider,
		query,
		run: readRunOptions(node, 0, read),
		lookBackMs: checkPositive(node, 0, 'Look-Back Window', lookBack, 1) * MINUTE_MS,
	};
	if (read('firstPoll', 'skipExisting') === 'emitSince') {
		const day = checkDay(node, 0, 'Emit Leads Since', read('emitSince', ''));
		if (!day) throw new NodeOperationError(node, 'Emit Leads Since is empty. Pick the date from which existing leads should be emitted.');
		settings.emitSinceMs = Date.parse(`${day}T00:00:00.000Z`);
	}
	return settings;
}

function cursorKey({ provider, query }: TriggerSettings): string {
	return JSON.stringify([provider.name, query.params, query.chatbotId]);
}

function byAge(a: TimedLead, b: TimedLead): number {
	return a.createdAtMs - b.createdAtMs || (a.lead.id < b.lead.id ? -1 : a.lead.id > b.lead.id ? 1 : 0);
}

/** "Fetch Test Event": the most recent lead, as a sample to map; no state is read or written. */
async function sampleLead(ctx: IPollFunctions, client: VendorClient, settings: TriggerSettings) {
	// Recent days first: with a date filter that is one cheap request for most chatbots.
	const since = [Date.now() - SAMPLE_DAYS * 24 * 60 * MINUTE_MS, -Infinity];
	for (const fromMs of client.provider.dateFilter ? since : since.slice(1)) {
		const { leads } = await scanLeadsSince(client, settings.query, fromMs, {
			maxPages: settings.run.maxPages,
			includeRaw: settings.run.includeRaw,
		});
		if (leads.length > 0) return [ctx.helpers.returnJsonArray([leads.sort(byAge)[leads.length - 1].lead])];
	}
	throw new NodeOperationError(
		ctx.getNode(),
		`The ${client.provider.displayName} ${client.provider.chatbotLabel} "${settings.query.chatbotId}" has no leads yet, so there is no sample to show. Capture a test lead through the chatbot, then fetch again.`,
	);
}

/**
 * One poll: every lead not emitted before, oldest first, each exactly once. The cursor is
 * assigned only after every page was fetched, so a failed poll changes nothing and the next
 * poll sees the same leads again.
 */
export async function pollChatbotLeads(ctx: IPollFunctions): Promise<INodeExecutionData[][] | null> {
	const settings = readSettings(ctx);
	const client = await createVendorClient(ctx, settings.provider, settings.run.request);
	if (ctx.getMode() === 'manual') return await sampleLead(ctx, client, settings);

	const staticData = ctx.getWorkflowStaticData('node');
	const key = cursorKey(settings);
	const now = Date.now();
	const saved = LeadCursor.restore(staticData.leadCursor, key, settings.lookBackMs);
	const firstPoll = saved === undefined;
	const cursor = saved ?? LeadCursor.start(key, settings.emitSinceMs ?? now - settings.lookBackMs, settings.lookBackMs);

	const scan = await scanLeadsSince(client, settings.query, cursor.windowStartMs(), {
		maxPages: settings.run.maxPages,
		includeRaw: settings.run.includeRaw,
		largestPage: cursor.state.largestPage,
		resume: cursor.state.resume,
		skipUntimed: (record) =>
			ctx.logger.warn('Chatbot Leads Trigger skipped a lead whose time could not be read', { record: JSON.stringify(record).slice(0, 300) }),
	});
	const fresh = scan.leads.filter((timed) => cursor.isNew(timed.lead.id, timed.createdAtMs));
	const emit = firstPoll && settings.emitSinceMs === undefined ? [] : fresh.sort(byAge);

	staticData.leadCursor = cursor.advance(
		scan.leads.map((timed) => ({ id: timed.lead.id, createdAtMs: timed.createdAtMs })),
		now,
		{ largestPage: scan.largestPage || undefined, resume: scan.resume },
	);
	return emit.length > 0 ? [ctx.helpers.returnJsonArray(emit.map((timed) => timed.lead))] : null;
}
