import type {
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	IDataObject,
	IExecuteFunctions,
	INodeCredentialTestResult,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeOperationError, sleep } from 'n8n-workflow';

import { derivedLeadId } from '../shared/lead/leadId';
import { buildLead } from '../shared/lead/normalize';
import { readProvider } from '../shared/parameters/params';
import { isObject } from '../shared/lead/json';
import { noteRefusal } from './refusalLog';
import { recordHandover, rememberEvents, verdictFor } from './receivedEvents';
import { signatureMatches } from './signature';
import { parseVendorTime, toIsoOrNull } from '../shared/lead/time';
import type { LeadProvider, LeadWebhook, WebhookEvent } from '../shared/vendors/types';

/** The Instant Trigger's Authentication: the vendor's API credential, or a credential holding only the secret. */
export const WEBHOOK_SECRET_AUTH = 'webhookSecret';
export const WEBHOOK_SECRET_CREDENTIAL = 'chatbotLeadsWebhookApi';

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
export const STATE_KEY = 'receivedEvents';

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
	const secretOnly = ctx.getNodeParameter('authentication', 'apiCredential') === WEBHOOK_SECRET_AUTH;
	const credentials = await ctx.getCredentials(secretOnly ? WEBHOOK_SECRET_CREDENTIAL : provider.credentialType);
	return {
		provider,
		webhook: provider.webhook,
		chatbotId: typeof chatbot === 'string' || typeof chatbot === 'number' ? String(chatbot).trim() : '',
		includeRaw: options.includeRaw === true,
		includeOtherEvents: options.includeOtherEvents === true,
		secret: typeof credentials.webhookSecret === 'string' ? credentials.webhookSecret.trim() : '',
	};
}

/**
 * The Webhook Secret Only credential's test: there is no vendor API to ask, so it checks what it
 * can, that a secret is set (without one, anyone who knows the URL can send leads).
 */
export async function webhookSecretCheck(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
	const secret = credential.data?.webhookSecret;
	if (typeof secret === 'string' && secret.trim() !== '') {
		return { status: 'OK', message: 'A secret is set. It is checked against each webhook request: a wrong one shows as HTTP 401 in the vendor\'s delivery log.' };
	}
	return {
		status: 'Error',
		message: "No Webhook Signing Secret: anyone who knows the webhook URL could send leads. Paste the secret your vendor's webhook settings show (you can still save without one).",
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
export function triggerKey(ctx: IWebhookFunctions | IExecuteFunctions): string {
	return `${ctx.getWorkflow().id ?? ''}:${ctx.getNode().id}`;
}

/** How long a copy waits for the first copy's execution to start before it is told to retry (409). */
export const COPY_WAIT_MS = 5_000;
const COPY_CHECK_MS = 100;

/** A copy of an event another request is handing over: acknowledged once that execution started. */
async function answerCopy(ctx: IWebhookFunctions, trigger: string, id: string): Promise<IWebhookResponseData> {
	const staticData = ctx.getWorkflowStaticData('node');
	const giveUpMs = Date.now() + COPY_WAIT_MS;
	while (Date.now() < giveUpMs) {
		await sleep(COPY_CHECK_MS);
		if (verdictFor(staticData[STATE_KEY], trigger, id, Date.now()) === 'received') {
			return reply(ctx, 200, 'Already received: another copy of this event started the workflow, so this one is not emitted again.');
		}
	}
	return reply(ctx, 409, 'This event is being handed to a workflow execution right now by another request, which has not started yet. Retry later.');
}

/**
 * Emits `item` unless it was emitted within the last 24 hours (200, nothing started). A copy
 * arriving while this process hands the same event to an execution waits for it to start (200),
 * or gets 409 so the vendor tries again. Test runs from the editor always emit.
 */
async function emitOnce(ctx: IWebhookFunctions, item: IDataObject, receivedMs: number): Promise<IWebhookResponseData> {
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
	if (verdict === 'inFlight') return await answerCopy(ctx, trigger, id);
	recordHandover(trigger, id, receivedMs);
	// n8n saves this after answering where it can; the execution's first step saves it again (below).
	staticData[STATE_KEY] = rememberEvents(staticData[STATE_KEY], [[id, receivedMs]], receivedMs);
	return { workflowData, webhookResponse };
}

/** Writes a warning about a request, within the bounds of noteRefusal. */
function warnBounded(ctx: IWebhookFunctions, what: string, problem: string): void {
	const decision = noteRefusal(triggerKey(ctx), Date.now());
	if (!decision.log) return;
	const before = decision.suppressedBefore > 0 ? ` (and ${decision.suppressedBefore} more in the previous minute, not logged)` : '';
	const after = decision.lastThisMinute ? ' Further ones this minute are counted, not logged.' : '';
	ctx.logger.warn(`Chatbot Leads Instant Trigger ${what}: ${problem}${before}${after}`, { workflowId: ctx.getWorkflow().id, node: ctx.getNode().name });
}

/** A request we cannot read or trust: refused, so a vendor retries and a sender sees why. */
function refuse(ctx: IWebhookFunctions, status: number, problem: string): IWebhookResponseData {
	warnBounded(ctx, 'refused a request', problem);
	return reply(ctx, status, problem);
}

/** A readable event no retry would make acceptable: acknowledged, so the vendor does not retry it all day, and logged. */
function acknowledgeUnusable(ctx: IWebhookFunctions, problem: string): IWebhookResponseData {
	warnBounded(ctx, 'acknowledged an event it does not emit', problem);
	return reply(ctx, 200, `Not emitted: ${problem}`);
}

/** One webhook request: verify, read, filter, then emit the lead once. */
export async function receiveLeadWebhook(ctx: IWebhookFunctions): Promise<IWebhookResponseData> {
	const receivedMs = Date.now();
	const settings = await readSettings(ctx);
	const { provider, webhook } = settings;
	const rawBody = rawBodyOf(ctx);
	if (!rawBody || rawBody.length === 0) return refuse(ctx, 400, 'The request has no body. A webhook event is a JSON object.');
	if (settings.secret !== '') {
		const problem = signatureProblem(ctx, settings, rawBody);
		if (problem) return refuse(ctx, 401, problem);
	}
	const parsed = parseBody(rawBody);
	if ('problem' in parsed) return refuse(ctx, 400, parsed.problem);
	const event = webhook.readEvent(parsed.body);
	if (!event) return acknowledgeUnusable(ctx, `the body is not a ${provider.displayName} webhook event: it names no event type (eventType or event).`);

	if (settings.chatbotId !== '' && event.chatbotId !== undefined && event.chatbotId !== settings.chatbotId) {
		return reply(ctx, 200, `Ignored: the event is for ${provider.chatbotLabel} ${event.chatbotId}; this trigger only accepts ${settings.chatbotId}.`);
	}
	if (!webhook.leadEvents.includes(event.type)) {
		if (settings.includeOtherEvents) return await emitOnce(ctx, otherEventItem(settings, event, parsed.body, receivedMs), receivedMs);
		return reply(ctx, 200, `Ignored: only lead events (${webhook.leadEvents.join(', ')}) start this workflow; this was ${event.type}.`);
	}
	const payload = leadPayload(event);
	if (!payload) return acknowledgeUnusable(ctx, `the ${event.type} event has no lead: its payload is missing or empty.`);
	return await emitOnce(ctx, leadItem(settings, event, payload, parsed.body, receivedMs), receivedMs);
}
