import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { ConversationFinder } from '../shared/fetch/conversations';
import { triggerKey } from './webhook';
import { STATE_KEY, WEBHOOK_SECRET_AUTH } from './settings';
import { readProvider } from '../shared/parameters/params';
import { recordStarted, rememberEvents } from './receivedEvents';
import { createVendorClient, DEFAULT_REQUEST_SETTINGS } from '../shared/transport/request';
import type { NormalizedLead } from '../shared/lead/types';

/** Conversations of one execution's leads: a few pages per chatbot and day at most. */
const CONVERSATION_MAX_PAGES = 50;

/** Adds `conversation` (or null and why) to the lead items; never throws, never drops a lead. */
async function attachConversations(ctx: IExecuteFunctions, leads: NormalizedLead[]): Promise<void> {
	const withoutConversation = (reason: string) => {
		for (const lead of leads) Object.assign(lead, { conversation: null, conversationError: reason });
	};
	if (ctx.getNodeParameter('authentication', 0, 'apiCredential') === WEBHOOK_SECRET_AUTH) {
		return withoutConversation("Include Conversation needs the vendor's API key: this trigger's credential is Webhook Secret Only. Pick (or create) an API Credential for it instead.");
	}
	try {
		const provider = readProvider(ctx.getNode(), 0, ctx.getNodeParameter('provider', 0, ''));
		const client = await createVendorClient(ctx, provider, DEFAULT_REQUEST_SETTINGS);
		await new ConversationFinder(client, CONVERSATION_MAX_PAGES).attach(leads);
	} catch (error) {
		withoutConversation(`The conversation could not be fetched: ${error instanceof Error ? error.message : String(error)}`);
	}
}

/**
 * The trigger's step inside the execution n8n started: proof the execution exists. Remembers
 * its events as emitted in the node's static data, which n8n saves when the execution ends
 * (unlike a webhook's own change, see receivedEvents.ts), then adds conversations if asked:
 * the vendor already has its answer, so they never delay it.
 */
export async function recordExecutionStart(ctx: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = ctx.getInputData();
	if (ctx.getMode() !== 'manual') {
		const nowMs = Date.now();
		const started = recordStarted(triggerKey(ctx), items.map((item) => String(item.json.id)), nowMs);
		const staticData = ctx.getWorkflowStaticData('node');
		staticData[STATE_KEY] = rememberEvents(staticData[STATE_KEY], started, nowMs);
	}
	const output = items.map((item, index) => ({ ...item, json: { ...item.json }, pairedItem: { item: index } }));
	const options = (ctx.getNodeParameter('options', 0, {}) ?? {}) as IDataObject;
	if (options.includeConversation === true) {
		// Other events (Include Other Events) carry eventType and no lead.
		const leads = output.filter((item) => item.json.eventType === undefined).map((item) => item.json as unknown as NormalizedLead);
		if (leads.length > 0) await attachConversations(ctx, leads);
	}
	return [output];
}
