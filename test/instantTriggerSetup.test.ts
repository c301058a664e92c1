/**
 * The Instant Trigger with a webhook-only credential (no API key), its credential check, bounded
 * refusal logs, and Include Conversation, through n8n-core's WebhookContext and an execution.
 */
import type { ICredentialDataDecryptedObject, IDataObject, INodeParameters } from 'n8n-workflow';

import { ChatbotLeadsWebhookApi } from '../credentials/ChatbotLeadsWebhookApi.credentials';
import { ChatbotLeadsInstantTrigger } from '../nodes/ChatbotLeadsInstantTrigger/ChatbotLeadsInstantTrigger.node';
import { webhookSecretCheck } from '../nodes/ChatbotLeadsInstantTrigger/settings';
import { noteRefusal, REFUSALS_LOGGED_PER_MINUTE } from '../nodes/ChatbotLeadsInstantTrigger/refusalLog';
import { ALL_CREDENTIALS } from './fixtures';
import { captureWarnings, useSimulator } from './helpers';
import type { TestCredentials } from './harness/n8n';
import { startWebhookServer, type WebhookServer } from './harness/webhook';
import type { WebhookSendOptions } from './simulator';

const sim = useSimulator();
const SECRET = 'only-the-webhook-secret';

let servers: WebhookServer[] = [];
afterEach(async () => {
	await Promise.all(servers.map((server) => server.close()));
	servers = [];
});

async function trigger(parameters: INodeParameters, credentials: TestCredentials) {
	const server = await startWebhookServer({
		nodeType: new ChatbotLeadsInstantTrigger(),
		credentialTypes: [...ALL_CREDENTIALS, new ChatbotLeadsWebhookApi()],
		parameters: { provider: 'chatbase', chatbotId: { __rl: true, mode: 'id', value: '' }, options: {}, ...parameters },
		credentials,
	});
	servers.push(server);
	return server;
}

/** Webhook Secret Only: the only credential is the secret one. */
const secretOnly = (options: INodeParameters = {}) => trigger({ authentication: 'webhookSecret', options }, { chatbotLeadsWebhookApi: { webhookSecret: SECRET } });
const withApiKey = (options: INodeParameters = {}) =>
	trigger({ options }, { chatbaseApi: { apiKey: sim.keys.chatbase, baseUrl: sim.baseUrls.chatbase, webhookSecret: sim.webhookSecrets.chatbase } });

let leadNumber = 0;
function send(server: WebhookServer, options: Partial<WebhookSendOptions> = {}) {
	leadNumber += 1;
	const lead = { name: `Grace ${leadNumber}`, email: `grace.${leadNumber}.${Date.now()}@example.com`, conversationId: `conv-${leadNumber}-${Date.now()}` };
	return sim.sendWebhook({ vendor: 'chatbase', chatbotId: 'bot-1', lead, ...options, url: server.url } as WebhookSendOptions);
}

async function emitted(server: WebhookServer) {
	await server.settled();
	for (const execution of server.executions) expect({ status: execution.status, error: execution.error }).toEqual({ status: 'success', error: undefined });
	return server.executions.flatMap((execution) => (execution.output ?? []).map((item) => item.json));
}

describe('Instant Trigger: Webhook Secret Only', () => {
	test('a signed lead is emitted with no API key anywhere; a wrong signature is refused (401)', async () => {
		const server = await secretOnly();
		const sent = await send(server, { secret: SECRET });
		expect(sent.deliveries.map((delivery) => delivery.status)).toEqual([200]);
		const [lead] = await emitted(server);
		expect(lead).toMatchObject({ provider: 'chatbase', chatbotId: 'bot-1', email: (sent.event?.payload as IDataObject).customerEmail });
		expect((await send(server, { secret: 'another secret' })).deliveries[0].status).toBe(401);
		expect(server.executions).toHaveLength(1);
		// Nothing was asked of the vendor's API.
		expect(sim.requests).toHaveLength(0);
	});

	test('the credential check passes with a secret and explains the risk without one', async () => {
		const check = (data: ICredentialDataDecryptedObject) => webhookSecretCheck.call({} as never, { id: '1', name: 'c', type: 'chatbotLeadsWebhookApi', data });
		expect(await check({ webhookSecret: SECRET })).toMatchObject({ status: 'OK' });
		expect(await check({ webhookSecret: '  ' })).toEqual({ status: 'Error', message: expect.stringMatching(/No Webhook Signing Secret: anyone who knows the webhook URL/) });
	});

	test('Include Conversation says it needs the API key, and the lead still comes', async () => {
		const server = await secretOnly({ includeConversation: true });
		await send(server, { secret: SECRET });
		const [lead] = await emitted(server);
		expect(lead.conversation).toBeNull();
		expect(lead.conversationError).toMatch(/needs the vendor's API key: this trigger's credential is Webhook Secret Only/);
	});
});

describe('Instant Trigger: Include Conversation', () => {
	test("the lead comes with the conversation its payload names, fetched after the vendor's answer", async () => {
		const server = await withApiKey({ includeConversation: true });
		const conversation = sim.addConversation('chatbase', 'bot-1', { customer: 'someone@example.com', messages: [{ role: 'user', content: 'Price?' }] });
		const sent = await send(server, { lead: { name: 'Ada', email: 'ada@example.com', conversationId: conversation.id } });
		expect(sent.deliveries[0].status).toBe(200);
		const [lead] = await emitted(server);
		expect(lead.conversation).toMatchObject({ id: conversation.id, matchedBy: 'conversationId', messages: [{ role: 'user', text: 'Price?' }] });
	});

	test('a failing conversations endpoint (500) never holds the lead back nor fails the execution', async () => {
		sim.injectFault('chatbase', { kind: 'status', status: 500, times: Infinity, match: { path: '/get-conversations' } });
		const server = await withApiKey({ includeConversation: true });
		const started = Date.now();
		const sent = await send(server);
		expect(sent.deliveries[0].status).toBe(200);
		// The answer does not wait for the fetch (which retries for seconds).
		expect(Date.now() - started).toBeLessThan(1000);
		const [lead] = await emitted(server);
		expect(lead.conversation).toBeNull();
		expect(lead.conversationError).toMatch(/could not be fetched/);
	});

	test('off: no conversation key and no request to the vendor', async () => {
		const server = await withApiKey();
		await send(server);
		const [lead] = await emitted(server);
		expect('conversation' in lead).toBe(false);
		expect(sim.requests).toHaveLength(0);
	});
});

describe('Instant Trigger: refusals are logged within bounds', () => {
	test(`${REFUSALS_LOGGED_PER_MINUTE} lines a minute for a trigger, then a count; each refused request still gets its answer`, async () => {
		const warnings = captureWarnings();
		const server = await withApiKey();
		const sent = await Promise.all(Array.from({ length: 30 }, () => send(server, { signature: 'wrong' })));
		expect(sent.map((entry) => entry.deliveries[0].status)).toEqual(Array.from({ length: 30 }, () => 401));
		const refusals = warnings.filter((line) => /refused a request/.test(line));
		expect(refusals).toHaveLength(REFUSALS_LOGGED_PER_MINUTE);
		expect(refusals[REFUSALS_LOGGED_PER_MINUTE - 1]).toMatch(/Further ones this minute are counted, not logged/);
	});

	test('the next minute logs again, saying how many were not logged', () => {
		const trigger = `unit-${Date.now()}`;
		const decisions = Array.from({ length: 12 }, () => noteRefusal(trigger, 1_000));
		expect(decisions.filter((decision) => decision.log)).toHaveLength(REFUSALS_LOGGED_PER_MINUTE);
		expect(noteRefusal(trigger, 61_000)).toEqual({ log: true, suppressedBefore: 12 - REFUSALS_LOGGED_PER_MINUTE, lastThisMinute: false });
		// Per trigger: another trigger's refusals are not held back by these.
		expect(noteRefusal(`${trigger}-other`, 61_001).log).toBe(true);
	});
});
