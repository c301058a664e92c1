import type { IDataObject, IExecuteFunctions, INodeExecutionData, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { derivedLeadId } from './leadId';
import { buildLead } from './normalize';
import { readProvider } from './params';
import { isObject } from './providers/util';
import { recordHandover, recordStarted, rememberEvents, verdictFor } from './receivedEvents';
import { signatureMatches } from './signature';
import { parseVendorTime, toIsoOrNull } from './time';
import type { LeadProvider, LeadWebhook, WebhookEvent } from './types';

interface InstantSettings {
	provider: LeadProvider;
	webhook: LeadWebhook;
	/** Only events of this chatbot; empty: every chatbot of the account. */
	chatbotId: string;
	includeRaw: boolean;
	includeOtherEvents: boolean;
	secret: string;
}

/** Where the trigger keeps the ids of the events it emitted (see receivedEvents.ts). */
const STATE_KEY = 'receivedEvents';

async function readSettings(ctx: IWebhookFunctions): Promise<InstantSettings> {
	const node = ctx.getNode();
	const provider = readProvider(node, 0, ctx.getNodeParameter('provider', ''));
	if (!provider.webhook) {
		throw new NodeOperationError(
			node,
			`${provider.displayName} sends no lead webhooks. Use the Chatbot Leads Trigger, which polls its API, instead.`,
		);
	}
	const chatbot = ctx.getNodeParameter('chatbotId', '', { extractValue: true });
	const options = (ctx.getNodeParameter('options', {}) ?? {}) as IDataObject;
	const credentials = await ctx.getCredentials(provider.credentialType);
	return {
		provider,
		webhook: provider.webhook,
		chatbotId: typeof chatbot === 'string' || typeof chatbot === 'number' ? String(chatbot).trim() : '',
		includeRaw: options.includeRaw === true,
		includeOtherEvents: options.includeOtherEvents === true,
		secret: typeof credentials.webhookSecret === 'string' ? credentials.webhookSecret.trim() : '',
	};
}

/** Answers the request here and starts nothing. */
function reply(ctx: IWebhookFunctions, status: number, message: string): IWebhookResponseData {
	const res = ctx.getResponseObject();
	const body = JSON.stringify({ message });
	res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
	res.end(body);
	return { noWebhookResponse: true };
}

/** The bytes n8n received (req.rawBody), which the signature covers. */
function rawBodyOf(ctx: IWebhookFunctions): Buffer | undefined {
	const raw: unknown = ctx.getRequestObject().rawBody;
	if (Buffer.isBuffer(raw)) return raw;
	return typeof raw === 'string' ? Buffer.from(raw, 'utf8') : undefined;
}

function headerValue(ctx: IWebhookFunctions, name: string): string | undefined {
	const value = ctx.getHeaderData()[name];
	return Array.isArray(value) ? value[0] : value;
}

/** Why the signature is refused, or undefined when it is valid. Secrets and signatures stay out of it. */
function signatureProblem(ctx: IWebhookFunctions, settings: InstantSettings, rawBody: Buffer): string | undefined {
	const { signatureHeader, signatureAlgorithms } = settings.webhook;
	const header = headerValue(ctx, signatureHeader);
	if (header === undefined || header.trim() === '') {
		return `The request has no ${signatureHeader} header, but the credential has a Webhook Signing Secret. Turn on signing in ${settings.provider.displayName}, or clear the secret.`;
	}
	if (!signatureMatches(rawBody, header, settings.secret, signatureAlgorithms)) {
		return `The ${signatureHeader} header does not match the request body. Check that the credential's Webhook Signing Secret is the one set in ${settings.provider.displayName}.`;
	}
	return undefined;
}

type Parsed = { body: IDataObject } | { problem: string };

function parseBody(rawBody: Buffer): Parsed {
	let body: unknown;
	try {
		body = JSON.parse(rawBody.toString('utf8').replace(/^\uFEFF/, ''));
	} catch (error) {
		return { problem: `The request body is not valid JSON (${(error as Error).message}).` };
	}
	return isObject(body) ? { body } : { problem: 'The request body is JSON but not an object, so it is not a webhook event.' };
}

/** The lead of a lead event's payload, or undefined when there is none. */
function leadPayload(event: WebhookEvent): IDataObject | undefined {
	const payload = event.payload;
	if (!isObject(payload)) return undefined;
	const hasValue = Object.values(payload).some((value) => value !== null && value !== undefined && String(value).trim() !== '');
	return hasValue ? payload : undefined;
}

/** The event's own time, else the time it arrived. */
function eventTimeMs(event: WebhookEvent, receivedMs: number): number {
	const ms = parseVendorTime(event.timestamp, 'UTC');
	return Number.isNaN(ms) ? receivedMs : ms;
}

function leadItem(settings: InstantSettings, event: WebhookEvent, payload: IDataObject, body: IDataObject, receivedMs: number) {
	const { provider, webhook } = settings;
	const chatbotId = event.chatbotId ?? settings.chatbotId;
	const lead = buildLead(provider.name, chatbotId, '', webhook.mapLead(payload), eventTimeMs(event, receivedMs));
	// What the event says, never when it arrived: a redelivery gets the same id.
	const eventTime = toIsoOrNull(parseVendorTime(event.timestamp, 'UTC'));
	lead.id = derivedLeadId(provider.name, [chatbotId, eventTime, lead.name, lead.email, lead.phone, lead.conversationId, lead.fields]);
	if (settings.includeRaw) lead.raw = body;
	return lead;
}

function otherEventItem(settings: InstantSettings, event: WebhookEvent, body: IDataObject, receivedMs: number): IDataObject {
	const item: IDataObject = {
		id: derivedLeadId(`${settings.provider.name}_event`, body),
		provider: settings.provider.name,
		chatbotId: event.chatbotId ?? (settings.chatbotId || null),
		eventType: event.type,
		createdAt: new Date(eventTimeMs(event, receivedMs)).toISOString(),
		payload: event.payload ?? null,
	};
	if (settings.includeRaw) item.raw = body;
	return item;
}

/** Which trigger an event belongs to, in this process's memory. */
function triggerKey(ctx: IWebhookFunctions | IExecuteFunctions): string {
	return `${ctx.getWorkflow().id ?? ''}:${ctx.getNode().id}`;
}

/**
 * Emits `item` unless it was emitted within the last 24 hours (200, nothing started) or this
 * process is handing the same event to an execution right now (409: the vendor retries later,
 * and by then it is known). Test runs from the editor always emit.
 */
function emitOnce(ctx: IWebhookFunctions, item: IDataObject, receivedMs: number): IWebhookResponseData {
	const workflowData = [ctx.helpers.returnJsonArray([item])];
	const webhookResponse = { message: 'Workflow was started', id: item.id };
	if (ctx.getMode() === 'manual') return { workflowData, webhookResponse };
	const id = String(item.id);
	const trigger = triggerKey(ctx);
	const staticData = ctx.getWorkflowStaticData('node');
	const verdict = verdictFor(staticData[STATE_KEY], trigger, id, receivedMs);
	if (verdict === 'received') {
		return reply(ctx, 200, 'Already received: this event was emitted within the last 24 hours, so it is not emitted again.');
	}
	if (verdict === 'inFlight') {
		return reply(ctx, 409, 'This event is being handed to a workflow execution right now by another request. Retry later.');
	}
	recordHandover(trigger, id, receivedMs);
	// n8n saves this after answering where it can; the execution's first step saves it again (below).
	staticData[STATE_KEY] = rememberEvents(staticData[STATE_KEY], [[id, receivedMs]], receivedMs);
	return { workflowData, webhookResponse };
}

/**
 * The trigger's step inside the execution n8n started: proof the execution exists. Remembers
 * its events as emitted in the node's static data, which n8n saves when the execution ends
 * (unlike a webhook's own change, see receivedEvents.ts), and passes the items on unchanged.
 */
export function recordExecutionStart(ctx: IExecuteFunctions): INodeExecutionData[][] {
	const items = ctx.getInputData();
	if (ctx.getMode() !== 'manual') {
		const nowMs = Date.now();
		const started = recordStarted(triggerKey(ctx), items.map((item) => String(item.json.id)), nowMs);
		const staticData = ctx.getWorkflowStaticData('node');
		staticData[STATE_KEY] = rememberEvents(staticData[STATE_KEY], started, nowMs);
	}
	return [items.map((item, index) => ({ ...item, pairedItem: { item: index } }))];
}

/** One webhook request: verify, read, filter, then emit the lead once. */
export async function receiveLeadWebhook(ctx: IWebhookFunctions): Promise<IWebhookResponseData> {
	const receivedMs = Date.now();
	const settings = await readSettings(ctx);
	const { provider, webhook } = settings;
	const rawBody = rawBodyOf(ctx);
	if (!rawBody || rawBody.length === 0) return reply(ctx, 400, 'The request has no body. A webhook event is a JSON object.');

	if (settings.secret !== '') {
		const problem = signatureProblem(ctx, settings, rawBody);
		if (problem) {
			ctx.logger.warn(`Chatbot Leads Instant Trigger refused a request: ${problem}`, { workflowId: ctx.getWorkflow().id, node: ctx.getNode().name });
			return reply(ctx, 401, problem);
		}
	}

	const parsed = parseBody(rawBody);
	if ('problem' in parsed) return reply(ctx, 400, parsed.problem);
	const event = webhook.readEvent(parsed.body);
	if (!event) return reply(ctx, 400, `The body is not a ${provider.displayName} webhook event: it names no event type (eventType or event).`);

	if (settings.chatbotId !== '' && event.chatbotId !== undefined && event.chatbotId !== settings.chatbotId) {
		return reply(ctx, 200, `Ignored: the event is for ${provider.chatbotLabel} ${event.chatbotId}; this trigger only accepts ${settings.chatbotId}.`);
	}
	if (!webhook.leadEvents.includes(event.type)) {
		if (settings.includeOtherEvents) return emitOnce(ctx, otherEventItem(settings, event, parsed.body, receivedMs), receivedMs);
		return reply(ctx, 200, `Ignored: only lead events (${webhook.leadEvents.join(', ')}) start this workflow; this was ${event.type}.`);
	}
	const payload = leadPayload(event);
	if (!payload) return reply(ctx, 400, `The ${event.type} event has no lead: its payload is missing or empty.`);
	return emitOnce(ctx, leadItem(settings, event, payload, parsed.body, receivedMs), receivedMs);
}
