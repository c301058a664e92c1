import type { IDataObject, IExecuteFunctions, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { leadItem, leadPayload, otherEventItem, parseBody } from './events';
import { recordHandover, rememberEvents, verdictFor } from './receivedEvents';
import { noteRefusal } from './refusalLog';
import { readSettings, STATE_KEY, type InstantSettings } from './settings';
import { signatureMatches } from './signature';

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
