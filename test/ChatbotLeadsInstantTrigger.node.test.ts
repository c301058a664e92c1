import { createHmac } from 'node:crypto';

import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { ChatbotLeadsInstantTrigger } from '../nodes/ChatbotLeadsInstantTrigger/ChatbotLeadsInstantTrigger.node';
import { COPY_WAIT_MS } from '../nodes/ChatbotLeadsInstantTrigger/webhook';
import { HANDOVER_TTL_MS, MAX_REMEMBERED_EVENTS, REDELIVERY_WINDOW_MS } from '../nodes/ChatbotLeadsInstantTrigger/receivedEvents';
import { ALL_CREDENTIALS } from './fixtures';
import { captureWarnings, useSimulator } from './helpers';
import { startWebhookServer, type WebhookServer, type WebhookServerOptions } from './harness/webhook';
import type { WebhookSendOptions, WebhookVendor } from './simulator';

const sim = useSimulator();

const STATE_BUCKET = 'node:Chatbot Leads Instant Trigger';
const HOUR = 60 * 60 * 1000;
const CREDENTIAL_TYPE = { chatbase: 'chatbaseApi', chatzuri: 'chatzuriApi' } as const;

let servers: WebhookServer[] = [];
afterEach(async () => {
	await Promise.all(servers.map((server) => server.close()));
	servers = [];
});

/** The node class as a new n8n process loads it: its in-process memory starts empty. */
function freshProcessNodeType(): ChatbotLeadsInstantTrigger {
	let nodeType: ChatbotLeadsInstantTrigger | undefined;
	jest.isolateModules(() => {
		const loaded = jest.requireActual<typeof import('../nodes/ChatbotLeadsInstantTrigger/ChatbotLeadsInstantTrigger.node')>(
			'../nodes/ChatbotLeadsInstantTrigger/ChatbotLeadsInstantTrigger.node',
		);
		nodeType = new loaded.ChatbotLeadsInstantTrigger();
	});
	return nodeType!;
}

interface Setup {
	nodeType?: ChatbotLeadsInstantTrigger;
	vendor?: WebhookVendor;
	chatbotId?: string;
	/** The credential's Webhook Signing Secret; default: the simulator's. */
	secret?: string;
	options?: INodeParameters;
	parameters?: INodeParameters;
	server?: Partial<WebhookServerOptions>;
}

/** An active Instant Trigger behind its production URL (n8n-core's WebhookContext). */
async function trigger({ nodeType, vendor = 'chatbase', chatbotId, secret, options = {}, parameters = {}, server = {} }: Setup = {}) {
	const started = await startWebhookServer({
		nodeType: nodeType ?? new ChatbotLeadsInstantTrigger(),
		credentialTypes: ALL_CREDENTIALS,
		parameters: {
			provider: vendor,
			chatbotId: { __rl: true, mode: 'id', value: chatbotId ?? '' },
			options,
			...parameters,
		},
		credentials: {
			[CREDENTIAL_TYPE[vendor]]: {
				apiKey: sim.keys[vendor],
				baseUrl: sim.baseUrls[vendor],
				webhookSecret: secret ?? sim.webhookSecrets[vendor],
			},
		},
		...server,
	});
	servers.push(started);
	return started;
}

let leadNumber = 0;
/** A lead no other test sends: the process-wide claims of one test never touch another's. */
function uniqueLead(extra: IDataObject = {}) {
	leadNumber += 1;
	const email = `ada.${leadNumber}.${Date.now()}@example.com`;
	return { name: `Ada Lovelace ${leadNumber}`, email, phone: '+44 20 7946 0000', conversationId: `conv-${email}`, ...extra };
}

function send(server: WebhookServer, options: Partial<WebhookSendOptions> = {}) {
	return sim.sendWebhook({ vendor: 'chatbase', chatbotId: 'bot-1', lead: uniqueLead(), ...options, url: server.url } as WebhookSendOptions);
}

const status = (entry: { deliveries: Array<{ status: number }> }) => entry.deliveries.map((delivery) => delivery.status);
const message = (entry: { deliveries: Array<{ body: unknown }> }, index = 0) => String((entry.deliveries[index].body as IDataObject)?.message);
/** What the trigger emitted, from executions n8n-core ran to success. */
async function emitted(server: WebhookServer) {
	await server.settled();
	for (const execution of server.executions) expect({ status: execution.status, error: execution.error }).toEqual({ status: 'success', error: undefined });
	return server.executions.flatMap((execution) => execution.items.map((item) => item.json));
}

describe('Chatbot Leads Instant Trigger: Chatbase', () => {
	test('a signed leads.submit becomes one lead in the shared shape, started at once', async () => {
		const server = await trigger({ chatbotId: 'bot-1' });
		const before = Date.now();
		const sent = await send(server, { lead: uniqueLead({ name: '  Ada Lovelace  ', conversationId: 'conv-42' }) });
		expect(status(sent)).toEqual([200]);
		const [lead] = await emitted(server);
		expect(sent.deliveries[0].body).toEqual({ message: 'Workflow was started', id: lead.id });
		expect(Object.keys(lead)).toEqual(['id', 'provider', 'chatbotId', 'name', 'email', 'phone', 'createdAt', 'conversationId', 'fields']);
		expect(lead).toMatchObject({
			provider: 'chatbase',
			chatbotId: 'bot-1',
			name: 'Ada Lovelace',
			email: (sent.event?.payload as IDataObject).customerEmail,
			phone: '+44 20 7946 0000',
			conversationId: 'conv-42',
			fields: {},
		});
		expect(lead.id).toMatch(/^chatbase_[0-9a-f]{24}$/);
		// Chatbase sends no time: the time n8n received it.
		const createdAt = Date.parse(String(lead.createdAt));
		expect(createdAt).toBeGreaterThanOrEqual(before);
		expect(createdAt).toBeLessThanOrEqual(Date.now());
	});

	test('a redelivery of the same bytes is acknowledged with 200 and not emitted again', async () => {
		const server = await trigger();
		const sent = await send(server);
		await server.settled();
		const again = await sim.redeliverWebhook(sent.id, { copies: 2 });
		expect(status(again)).toEqual([200, 200]);
		expect(message(again)).toMatch(/Already received/);
		expect(server.executions).toHaveLength(1);
		const state = server.persistedStaticData[STATE_BUCKET] as IDataObject;
		expect(Object.keys((state.receivedEvents as IDataObject).ids as IDataObject)).toEqual([(await emitted(server))[0].id]);
	});

	test('the id comes from the content: the same lead in other bytes is the same event; another lead is not', async () => {
		const server = await trigger();
		const lead = uniqueLead({ conversationId: 'conv-same' });
		const compact = await send(server, { lead });
		await server.settled();
		const pretty = await send(server, { lead, pretty: true, store: false });
		const other = await send(server, { lead: { ...lead, phone: '+1 555 0100' } });
		expect(status(compact)).toEqual([200]);
		expect(message(pretty)).toMatch(/Already received/);
		expect(status(other)).toEqual([200]);
		const ids = (await emitted(server)).map((item) => item.id);
		expect(ids).toHaveLength(2);
		expect(new Set(ids).size).toBe(2);
	});

	test.each([
		['no signature header', 'none', /has no x-chatbase-signature header/],
		['a signature made with another secret', 'wrong', /does not match/],
		['a body changed after signing (one byte)', 'tampered', /does not match/],
	] as const)('%s gets 401 and starts nothing', async (_name, signature, reason) => {
		const server = await trigger();
		const sent = await send(server, { signature });
		expect(status(sent)).toEqual([401]);
		expect(message(sent)).toMatch(reason);
		expect(JSON.stringify(sent.deliveries)).not.toContain(sim.webhookSecrets.chatbase);
		expect(server.executions).toHaveLength(0);
		expect(server.persistedStaticData).toEqual({});
	});

	test('the signature is checked over the bytes received: pretty-printed, non-ASCII JSON passes', async () => {
		const server = await trigger();
		const sent = await send(server, { lead: uniqueLead({ name: 'Zoë Ørsted 李' }), pretty: true });
		expect(status(sent)).toEqual([200]);
		expect((await emitted(server))[0].name).toBe('Zoë Ørsted 李');
	});

	test('without a signing secret any request is accepted, signed or not', async () => {
		const server = await trigger({ secret: '' });
		const unsigned = await send(server, { secret: null });
		const wronglySigned = await send(server, { signature: 'wrong' });
		expect([...status(unsigned), ...status(wronglySigned)]).toEqual([200, 200]);
		expect(server.executions).toHaveLength(2);
	});

	test("another chatbot's event is acknowledged and not emitted; with no chatbot set, every chatbot's is", async () => {
		const filtered = await trigger({ chatbotId: 'bot-1' });
		const other = await send(filtered, { chatbotId: 'bot-2' });
		expect(status(other)).toEqual([200]);
		expect(message(other)).toMatch(/Ignored: the event is for chatbot bot-2/);
		expect(filtered.executions).toHaveLength(0);

		const everyChatbot = await trigger();
		await send(everyChatbot, { chatbotId: 'bot-2' });
		await send(everyChatbot, { chatbotId: 'bot-3' });
		expect((await emitted(everyChatbot)).map((lead) => lead.chatbotId)).toEqual(['bot-2', 'bot-3']);
	});

	test('Include Raw Record adds the body as sent', async () => {
		const server = await trigger({ options: { includeRaw: true } });
		const sent = await send(server);
		expect((await emitted(server))[0].raw).toEqual(sent.event);
	});
});

describe('Chatbot Leads Instant Trigger: Chatzuri', () => {
	const chatzuri = (server: WebhookServer, options: Partial<WebhookSendOptions> = {}) =>
		send(server, { vendor: 'chatzuri', chatbotId: 'agt_abc123', ...options });

	test("the developer guide's shape (event, timestamp, agent_id, data), signed sha256= hex: createdAt is the event's time", async () => {
		const server = await trigger({ vendor: 'chatzuri', chatbotId: 'agt_abc123' });
		const sent = await chatzuri(server, { shape: 'guide', timestamp: '2026-04-26T08:30:14Z' });
		expect(sent.headers['X-Chatzuri-Signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
		expect(status(sent)).toEqual([200]);
		expect((await emitted(server))[0]).toMatchObject({
			provider: 'chatzuri',
			chatbotId: 'agt_abc123',
			createdAt: '2026-04-26T08:30:14.000Z',
			conversationId: null,
			fields: { channel: 'website' },
		});
	});

	test("the API page's shape (eventType, agentId, payload), signed sha256= base64", async () => {
		const server = await trigger({ vendor: 'chatzuri', chatbotId: 'agt_abc123' });
		const lead = uniqueLead({ conversationId: 'c-9' });
		const sent = await chatzuri(server, { shape: 'api', signature: 'base64', lead });
		expect(sent.headers['X-Chatzuri-Signature']).toMatch(/^sha256=[A-Za-z0-9+/]{43}=$/);
		expect(status(sent)).toEqual([200]);
		expect((await emitted(server))[0]).toMatchObject({ chatbotId: 'agt_abc123', name: lead.name, email: lead.email, conversationId: 'c-9' });
	});

	test('the older API page: chatbotId, leads.submit and a SHA-1 signature', async () => {
		const server = await trigger({ vendor: 'chatzuri', chatbotId: 'agt_abc123' });
		const sent = await chatzuri(server, { shape: 'apiLegacy' });
		expect(sent.event).toMatchObject({ eventType: 'leads.submit', chatbotId: 'agt_abc123' });
		expect(sent.headers['x-chatzuri-signature']).toMatch(/^[0-9a-f]{40}$/);
		expect(status(sent)).toEqual([200]);
		expect(server.executions).toHaveLength(1);
	});

	test('a header naming its algorithm (sha1=, base64) is read as named; a sha256 digest under sha1= is not', async () => {
		const server = await trigger({ vendor: 'chatzuri' });
		const body = JSON.stringify({ eventType: 'lead.submit', agentId: 'agt_1', payload: { customerEmail: `x.${Date.now()}@example.com` } });
		const sign = (algorithm: string, encoding: 'hex' | 'base64') =>
			createHmac(algorithm, sim.webhookSecrets.chatzuri).update(body).digest(encoding);
		const post = (signature: string) => server.post(body, { 'content-type': 'application/json', 'x-chatzuri-signature': signature });
		expect((await post(`sha1=${sign('sha256', 'hex')}`)).status).toBe(401);
		expect((await post(`sha1=${sign('sha1', 'base64')}`)).status).toBe(200);
		expect(server.executions).toHaveLength(1);
	});

	test('other event types are acknowledged with 200 and not emitted, unless Include Other Events is on', async () => {
		const other = { eventType: 'message.received', payload: { message: 'Hi there' } };
		const quiet = await trigger({ vendor: 'chatzuri' });
		const ignored = await chatzuri(quiet, other);
		expect(status(ignored)).toEqual([200]);
		expect(message(ignored)).toMatch(/only lead events .* this was message\.received/);
		expect(quiet.executions).toHaveLength(0);

		const all = await trigger({ vendor: 'chatzuri', options: { includeOtherEvents: true } });
		await chatzuri(all, other);
		expect((await emitted(all))[0]).toMatchObject({ provider: 'chatzuri', chatbotId: 'agt_abc123', eventType: 'message.received', payload: { message: 'Hi there' } });
		expect((await emitted(all))[0].id).toMatch(/^chatzuri_event_[0-9a-f]{24}$/);
	});

	test("Chatzuri's retries: the same event redelivered (and the guide's timestamp kept) is emitted once", async () => {
		const server = await trigger({ vendor: 'chatzuri' });
		const sent = await chatzuri(server, { shape: 'guide' });
		await server.settled();
		await sim.redeliverWebhook(sent.id, { copies: 3 });
		expect(server.executions).toHaveLength(1);
	});
});

describe('Chatbot Leads Instant Trigger: bad requests start nothing', () => {
	test.each([
		['malformed JSON labelled application/json: n8n itself answers 422', '{"eventType": "leads.submit", ', 'application/json', 422],
		['malformed JSON labelled text/plain: the node answers 400', '{"eventType": "leads.submit", ', 'text/plain', 400],
		['a JSON array', '[]', 'application/json', 400],
		['an empty body', '', 'application/json', 400],
	])('%s', async (_name, body, contentType, expected) => {
		const server = await trigger({ secret: '' });
		const reply = await server.post(body, { 'content-type': contentType });
		expect(reply.status).toBe(expected);
		expect(server.executions).toHaveLength(0);
		expect(server.errors).toHaveLength(0);
	});

	// Readable events no retry would make acceptable: 200, so Chatzuri does not retry them for 24 hours.
	test.each([
		['an object without an event type', { chatbotId: 'bot-1', payload: { customerEmail: 'a@example.com' } }, /names no event type/],
		['a lead event without a payload', { eventType: 'leads.submit', chatbotId: 'bot-1' }, /has no lead/],
		['a lead event with an empty payload', { eventType: 'leads.submit', chatbotId: 'bot-1', payload: { customerName: ' ' } }, /has no lead/],
	])('a signed event that can never be emitted, %s: acknowledged (200 "Not emitted"), logged, nothing started', async (_name, event, reason) => {
		const warnings = captureWarnings();
		const server = await trigger();
		const sent = await sim.sendWebhook({ vendor: 'chatbase', url: server.url, body: JSON.stringify(event) } as WebhookSendOptions);
		expect(status(sent)).toEqual([200]);
		expect(message(sent)).toMatch(/^Not emitted: /);
		expect(message(sent)).toMatch(reason);
		expect(server.executions).toHaveLength(0);
		expect(warnings.filter((line) => /acknowledged an event it does not emit/.test(line))).toHaveLength(1);
	});

	test('an unsigned request is refused before its body is even read (401, not 400)', async () => {
		const server = await trigger();
		expect((await server.post('not json', { 'content-type': 'text/plain' })).status).toBe(401);
	});

	test('a provider without webhooks is a configuration error (500, no execution), pointing at the polling trigger', async () => {
		const server = await startWebhookServer({
			nodeType: new ChatbotLeadsInstantTrigger(),
			credentialTypes: ALL_CREDENTIALS,
			parameters: { provider: 'robofy', options: {} },
			credentials: { robofyApi: { apiKey: 'k', baseUrl: sim.baseUrls.robofy } },
		});
		servers.push(server);
		const reply = await server.post('{"eventType":"leads.submit"}', { 'content-type': 'application/json' });
		expect(reply.status).toBe(500);
		expect(server.executions).toHaveLength(0);
		expect(String((server.errors[0] as Error).message)).toMatch(/Robofy sends no lead webhooks\. Use the Chatbot Leads Trigger/);
	});
});

describe('Chatbot Leads Instant Trigger: once', () => {
	test('copies arriving together while n8n starts the first execution: one execution, the copies wait for it and get 200', async () => {
		const server = await trigger({ server: { startExecutionDelayMs: 300 } });
		const sent = await send(server, { copies: 5, concurrent: true });
		expect(status(sent)).toEqual([200, 200, 200, 200, 200]);
		expect(sent.deliveries.map((delivery) => String((delivery.body as IDataObject).message)).sort()).toEqual([
			...Array.from({ length: 4 }, () => expect.stringMatching(/^Already received: another copy of this event started the workflow/)),
			'Workflow was started',
		]);
		expect(server.executions).toHaveLength(1);
		await server.settled();
		const retried = await sim.redeliverWebhook(sent.id, { copies: 2 });
		expect(status(retried)).toEqual([200, 200]);
		expect(server.executions).toHaveLength(1);
	});

	test(`a copy whose first execution has not started after ${COPY_WAIT_MS / 1000} s gets 409, so the vendor tries again`, async () => {
		const server = await trigger({ server: { startExecutionDelayMs: COPY_WAIT_MS + 1500 } });
		const sent = await send(server, { copies: 2, concurrent: true });
		expect(status(sent).sort()).toEqual([200, 409]);
		await server.settled();
		expect(server.executions).toHaveLength(1);
		expect(status(await sim.redeliverWebhook(sent.id))).toEqual([200]);
		expect(server.executions).toHaveLength(1);
	});

	test('different leads arriving together are all emitted', async () => {
		const server = await trigger({ server: { startExecutionDelayMs: 100 } });
		const sent = await Promise.all(Array.from({ length: 6 }, () => send(server)));
		expect(sent.flatMap(status)).toEqual([200, 200, 200, 200, 200, 200]);
		expect(new Set((await emitted(server)).map((lead) => lead.id)).size).toBe(6);
	});

	test("n8n 2.41 drops a webhook's own static data change once the workflow has some; the execution's first step saves it", async () => {
		const server = await trigger({ server: { staticData: { [STATE_BUCKET]: { receivedEvents: { version: 1, ids: {} } } } } });
		await send(server);
		await send(server);
		await server.settled();
		const ids = Object.keys(((server.persistedStaticData[STATE_BUCKET] as IDataObject).receivedEvents as IDataObject).ids as IDataObject);
		expect(ids.sort()).toEqual((await emitted(server)).map((lead) => String(lead.id)).sort());
	});

	test('after a restart (a new n8n process) a redelivery within 24 hours is still acknowledged and not emitted', async () => {
		const before = await trigger({ server: { nodeId: 'restarted' } });
		await send(before);
		// The second: the one whose own static data change n8n 2.41 drops (the workflow has some by then).
		const sent = await send(before);
		await before.settled();
		const restarted = await trigger({ nodeType: freshProcessNodeType(), server: { nodeId: 'restarted', staticData: before.persistedStaticData } });
		const again = await sim.sendWebhook({ ...sent, url: restarted.url, body: sent.body, secret: sim.webhookSecrets.chatbase } as WebhookSendOptions);
		expect(status(again)).toEqual([200]);
		expect(message(again)).toMatch(/Already received/);
		expect(restarted.executions).toHaveLength(0);
	});

	test('when n8n fails to start the execution (500), the redelivery is held off for a minute (409), then emitted', async () => {
		const now = jest.spyOn(Date, 'now');
		try {
			const failing = await trigger({ server: { failExecutionStart: true, nodeId: 'unlucky' } });
			const sent = await send(failing);
			expect(status(sent)).toEqual([500]);
			const server = await trigger({ server: { nodeId: 'unlucky' } });
			const redeliver = () => sim.sendWebhook({ ...sent, url: server.url, body: sent.body } as WebhookSendOptions);
			expect(status(await redeliver())).toEqual([409]);
			const later = Date.now() + HANDOVER_TTL_MS;
			now.mockImplementation(() => later);
			expect(status(await redeliver())).toEqual([200]);
			expect(await emitted(server)).toHaveLength(1);
		} finally {
			now.mockRestore();
		}
	});

	/** The id an event gets, from a test-URL run (which neither claims nor remembers). */
	async function idOf(options: Partial<WebhookSendOptions>) {
		const probe = await trigger({ server: { mode: 'manual' } });
		await send(probe, { ...options, store: false });
		return String((await emitted(probe))[0].id);
	}

	test.each([
		[23, 0],
		[25, 1],
	])('an event first received %i hours ago is emitted again %i times', async (hoursAgo, expected) => {
		const lead = uniqueLead();
		const id = await idOf({ lead });
		const staticData = { [STATE_BUCKET]: { receivedEvents: { version: 1, ids: { [id]: Date.now() - hoursAgo * HOUR } } } };
		const server = await trigger({ server: { staticData } });
		await send(server, { lead });
		expect(server.executions).toHaveLength(expected);
	});

	test(`the stored state stays bounded: ${MAX_REMEMBERED_EVENTS} ids of the last 24 hours at most, oldest dropped first`, async () => {
		const now = Date.now();
		const ids: IDataObject = { expired: now - REDELIVERY_WINDOW_MS - 1000 };
		for (let i = 0; i < MAX_REMEMBERED_EVENTS; i++) ids[`old_${i}`] = now - HOUR + i;
		const server = await trigger({ server: { staticData: { [STATE_BUCKET]: { receivedEvents: { version: 1, ids } } } } });
		await send(server);
		const kept = ((server.persistedStaticData[STATE_BUCKET] as IDataObject).receivedEvents as IDataObject).ids as IDataObject;
		expect(Object.keys(kept)).toHaveLength(MAX_REMEMBERED_EVENTS);
		expect(kept.expired).toBeUndefined();
		expect(kept.old_0).toBeUndefined();
		expect(kept.old_1).toBeDefined();
		expect(kept[String((await emitted(server))[0].id)]).toBeDefined();
	});

	test('Listen for Test Event (test URL) shows every valid event, repeats included, and saves nothing', async () => {
		const server = await trigger({ server: { mode: 'manual' } });
		expect(server.url).toContain('/webhook-test/');
		const sent = await send(server);
		await sim.redeliverWebhook(sent.id);
		expect(server.executions).toHaveLength(2);
		expect(server.persistedStaticData).toEqual({});
		const refused = await send(server, { signature: 'wrong' });
		expect(status(refused)).toEqual([401]);
	});
});
