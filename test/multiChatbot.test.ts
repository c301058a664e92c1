import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { ChatbotLeads } from '../nodes/ChatbotLeads/ChatbotLeads.node';
import { ChatbotLeadsTrigger } from '../nodes/ChatbotLeadsTrigger/ChatbotLeadsTrigger.node';
import { providerByName } from '../nodes/shared/vendors';
import { ALL_CREDENTIALS, FIXTURES, type VendorFixture } from './fixtures';
import { resolveNodeExpression } from './harness/n8n';
import { leadRequests, runLeads, runLeadsError, useSimulator } from './helpers';
import { isLeadRequest } from './simulator';

const sim = useSimulator();

const LISTING = FIXTURES.filter((fixture) => providerByName(fixture.vendor)?.allChatbots);
const byVendor = (vendor: string) => FIXTURES.find((fixture) => fixture.vendor === vendor) as VendorFixture;
const cases = (fixtures: VendorFixture[]) => fixtures.map((fixture) => [fixture.displayName, fixture] as [string, VendorFixture]);

const ids = (items: INodeExecutionData[]) => items.map((item) => String(item.json.id));
const chatbotsOf = (items: INodeExecutionData[]) => items.map((item) => String(item.json.chatbotId));

/** `count` leads for one chatbot (in the fixture's project for Robofy), one a minute from `start`. */
function leadsFor(fixture: VendorFixture, chatbotId: string, count: number, start = '2026-10-01T00:00:00.000Z', projectId = fixture.projectId) {
	return sim.generateLeads(fixture.vendor, chatbotId, count, { start, projectId });
}

const several = (chatbotIds: string): INodeParameters => ({ chatbotScope: 'list', chatbotIds });
const all: INodeParameters = { chatbotScope: 'all' };

describe.each(cases(FIXTURES))('Chatbots: Several by ID with %s', (_name, fixture) => {
	test('returns every lead of every listed chatbot, chatbot by chatbot, each carrying its chatbot', async () => {
		const a = leadsFor(fixture, 'bot-a', 3);
		const b = leadsFor(fixture, 'bot-b', fixture.pageSize + 2);
		const c = leadsFor(fixture, 'bot-c', 2);
		leadsFor(fixture, 'bot-not-listed', 4);
		const items = await runLeads(sim, fixture, { returnAll: true, ...several('bot-a, bot-b\nbot-c') });
		expect(items).toHaveLength(a.length + b.length + c.length);
		expect(chatbotsOf(items)).toEqual([...a.map(() => 'bot-a'), ...b.map(() => 'bot-b'), ...c.map(() => 'bot-c')]);
		expect(new Set(ids(items)).size).toBe(items.length);
		if (fixture.idOf) expect(new Set(ids(items))).toEqual(new Set([...a, ...b, ...c].map(fixture.idOf)));
		for (const item of items) expect(item.pairedItem).toEqual({ item: 0 });
		// No list request: one chatbot's pages each, and bot-b needs two.
		expect(sim.requests.every((request) => isLeadRequest(request.vendor, request.path))).toBe(true);
	});

	test('a lead keeps the normalized shape; a Robofy lead also names its project', async () => {
		leadsFor(fixture, 'bot-a', 1);
		const [item] = await runLeads(sim, fixture, { returnAll: true, ...several('bot-a') });
		const base = ['chatbotId', 'conversationId', 'createdAt', 'email', 'fields', 'id', 'name', 'phone', 'provider'];
		const extra = fixture.projectId === undefined ? [] : ['projectId'];
		expect(Object.keys(item.json).sort()).toEqual([...base, ...extra].sort());
		if (fixture.projectId !== undefined) expect(item.json.projectId).toBe(String(fixture.projectId));
	});

	test('Limit counts all chatbots together: the first leads in chatbot order, and no request past them', async () => {
		const a = leadsFor(fixture, 'bot-a', 10);
		const b = leadsFor(fixture, 'bot-b', 10);
		leadsFor(fixture, 'bot-c', 10);
		const items = await runLeads(sim, fixture, {
			returnAll: false,
			limit: 15,
			...several('bot-a,bot-b,bot-c'),
			options: { concurrency: 1 },
		});
		expect(items).toHaveLength(15);
		expect(chatbotsOf(items)).toEqual([...Array(10).fill('bot-a'), ...Array(5).fill('bot-b')]);
		if (fixture.idOf) expect(ids(items).slice(0, 10).sort()).toEqual(a.map(fixture.idOf).sort());
		if (fixture.idOf) expect(b.map(fixture.idOf)).toEqual(expect.arrayContaining(ids(items).slice(10)));
		expect(leadRequests(sim, fixture).some((request) => JSON.stringify(request).includes('bot-c'))).toBe(false);
	});

	test('Limit gives the same leads whatever the concurrency', async () => {
		for (const bot of ['bot-a', 'bot-b', 'bot-c', 'bot-d']) leadsFor(fixture, bot, 6);
		const parameters = { returnAll: false, limit: 14, ...several('bot-a,bot-b,bot-c,bot-d') };
		const one = await runLeads(sim, fixture, { ...parameters, options: { concurrency: 1 } });
		const four = await runLeads(sim, fixture, { ...parameters, options: { concurrency: 4 } });
		expect(ids(four)).toEqual(ids(one));
		expect(chatbotsOf(four)).toEqual([...Array(6).fill('bot-a'), ...Array(6).fill('bot-b'), 'bot-c', 'bot-c']);
	});

	test('date filters apply to each chatbot', async () => {
		for (const bot of ['bot-a', 'bot-b']) {
			sim.generateLeads(fixture.vendor, bot, 12, { start: '2026-10-01T00:00:00.000Z', stepMs: 6 * 3600_000, projectId: fixture.projectId });
		}
		const items = await runLeads(sim, fixture, {
			returnAll: true,
			...several('bot-a,bot-b'),
			filters: { startDate: '2026-10-02', endDate: '2026-10-02' },
		});
		expect(chatbotsOf(items)).toEqual([...Array(4).fill('bot-a'), ...Array(4).fill('bot-b')]);
		for (const item of items) expect(String(item.json.createdAt)).toMatch(/^2026-10-02T/);
	});

	test('a repeated ID is fetched once', async () => {
		leadsFor(fixture, 'bot-a', 3);
		await runLeads(sim, fixture, { returnAll: true, ...several('bot-a') });
		const once = leadRequests(sim, fixture).length;
		sim.clearRequests();
		const items = await runLeads(sim, fixture, { returnAll: true, ...several('bot-a, bot-a,\n bot-a ') });
		expect(items).toHaveLength(3);
		expect(leadRequests(sim, fixture)).toHaveLength(once);
	});

	test('a bad ID is named, with its position, before any request', async () => {
		const error = await runLeadsError(sim, fixture, several('bot-a, bot-b, bot/c, bot-d'));
		expect(error.constructor.name).toBe('NodeOperationError');
		expect(error.message).toMatch(/^Chatbot ID 3 of 4 "bot\/c" contains "\/", which an ID never does/);
		const empty = await runLeadsError(sim, fixture, several('={{ " , \\n " }}'));
		expect(empty.message).toMatch(/Chatbot IDs is empty\. Enter one or more IDs, separated by commas or new lines/);
		expect(sim.requests).toHaveLength(0);
	});

	test('a chatbot whose requests fail after retries fails the run, and the error names it', async () => {
		leadsFor(fixture, 'bot-a', 3);
		leadsFor(fixture, 'bot-c', 3);
		const error = await runLeadsError(sim, fixture, { returnAll: true, ...several('bot-a,bot-missing,bot-c') });
		expect(error.constructor.name).toBe('NodeApiError');
		expect(error.message).toContain('"bot-missing"');
		expect(error.message).toMatch(/check the/i);
	});

	test('with Continue On Fail, each input item gets its chatbots or its error, paired to it', async () => {
		leadsFor(fixture, 'bot-a', 2);
		leadsFor(fixture, 'bot-b', 1);
		const items = await runLeads(
			sim,
			fixture,
			{ returnAll: true, ...several('={{ $json.bots }}') },
			{ continueOnFail: true, inputItems: [{ json: { bots: 'bot-a,bot-b' } }, { json: { bots: 'bot-b,bot-gone' } }, { json: { bots: 'bot-b' } }] },
		);
		expect(items.map((item) => [item.json.chatbotId ?? 'error', item.pairedItem])).toEqual([
			['bot-a', { item: 0 }],
			['bot-a', { item: 0 }],
			['bot-b', { item: 0 }],
			['error', { item: 1 }],
			['bot-b', { item: 2 }],
		]);
		expect(String(items[3].json.error)).toContain('"bot-gone"');
	});
});

describe('Chatbots: Several by ID, failures and rate limits', () => {
	test('a persistent 500 on one chatbot fails the run naming that chatbot, after its retries', async () => {
		const fixture = byVendor('chatofAi');
		for (const bot of ['bot-a', 'bot-b', 'bot-c']) leadsFor(fixture, bot, 2);
		sim.injectFault('chatofAi', { kind: 'status', status: 500, times: Infinity, match: { path: '/chatbot/bot-b/' } });
		const error = await runLeadsError(sim, fixture, { returnAll: true, ...several('bot-a,bot-b,bot-c') });
		expect(error.constructor.name).toBe('NodeApiError');
		expect(error.message).toBe(
			'Chatof.ai bot UID "bot-b": Chatof.ai had a server error (HTTP 500) after 3 attempts. This is usually temporary: try again later.',
		);
		expect(sim.requests.filter((request) => request.path.includes('bot-b'))).toHaveLength(3);
	});

	test('a Robofy error names the chatbot and its project', async () => {
		const fixture = byVendor('robofy');
		leadsFor(fixture, 'agent-a', 2);
		sim.injectFault('robofy', { kind: 'status', status: 502, times: Infinity, match: { path: '/agent-a' } });
		const error = await runLeadsError(sim, fixture, { returnAll: true, ...several('agent-a') });
		expect(error.message).toMatch(/^Robofy chatbot "agent-a" in project "101": Robofy had a server error \(HTTP 502\)/);
	});

	test.each(cases(FIXTURES))(
		'%s: a server limiting concurrent requests slows the pool down instead of failing the run',
		async (_name, fixture) => {
			const bots = ['bot-1', 'bot-2', 'bot-3', 'bot-4', 'bot-5', 'bot-6'];
			const stored = bots.flatMap((bot) => leadsFor(fixture, bot, 3));
			sim.setOptions(fixture.vendor, { maxConcurrentRequests: 1, retryAfterSeconds: 0.02, latencyMs: 20 } as never);
			// No transport retries: every 429 reaches the pool, which still slows down rather than fail.
			const items = await runLeads(sim, fixture, {
				returnAll: true,
				...several(bots.join(',')),
				options: { concurrency: 4, maxRetries: 0, retryDelayMs: 1 },
			});
			expect(items).toHaveLength(stored.length);
			expect(chatbotsOf(items)).toEqual(bots.flatMap((bot) => [bot, bot, bot]));
			const limited = sim.requests.filter((request) => request.status === 429);
			expect(limited.length).toBeGreaterThan(0);
			// Halved from 4 to 2, then 1: a few requests over the server's limit, not one per request.
			expect(limited.length).toBeLessThanOrEqual(6);
		},
	);

	test('a chatbot still rate-limited after the pool has slowed down fails the run, naming it', async () => {
		const fixture = byVendor('robofy');
		for (const bot of ['agent-a', 'agent-b']) leadsFor(fixture, bot, 2);
		sim.injectFault('robofy', {
			kind: 'status',
			status: 429,
			headers: { 'Retry-After': '0' },
			times: Infinity,
			match: { path: '/agent-b' },
		});
		const error = await runLeadsError(sim, fixture, {
			returnAll: true,
			...several('agent-a,agent-b'),
			options: { maxRetries: 1, retryDelayMs: 1 },
		});
		expect(error.message).toMatch(/^Robofy chatbot "agent-b" in project "101": Rate limited by Robofy after 2 attempts/);
		// The transport's 2 attempts, run twice: once more by the pool (Retries: 1).
		expect(sim.requests.filter((request) => request.path.endsWith('/agent-b'))).toHaveLength(4);
	});
});

describe.each(cases(LISTING))('Chatbots: All Chatbots of the Account with %s', (_name, fixture) => {
	const project = (n: number) => (fixture.projectId === undefined ? undefined : n);

	test('lists the chatbots once and returns every lead of each, with the chatbot name the vendor gave', async () => {
		sim.addChatbot(fixture.vendor, 'bot-sales', { name: 'Sales assistant', projectId: project(7) });
		sim.addChatbot(fixture.vendor, 'bot-support', { name: 'Support bot', projectId: project(8) });
		sim.addChatbot(fixture.vendor, 'bot-empty', { name: 'No leads yet', projectId: project(8) });
		const sales = leadsFor(fixture, 'bot-sales', 4, undefined, project(7));
		const support = leadsFor(fixture, 'bot-support', fixture.pageSize + 1, undefined, project(8));
		const items = await runLeads(sim, fixture, { returnAll: true, ...all });
		expect(items).toHaveLength(sales.length + support.length);
		const byBot = (bot: string) => items.filter((item) => item.json.chatbotId === bot);
		expect(byBot('bot-sales')).toHaveLength(sales.length);
		expect(byBot('bot-support')).toHaveLength(support.length);
		for (const item of byBot('bot-sales')) expect(item.json.chatbotName).toBe('Sales assistant');
		for (const item of byBot('bot-support')) expect(item.json.chatbotName).toBe('Support bot');
		if (fixture.idOf) expect(new Set(ids(items))).toEqual(new Set([...sales, ...support].map(fixture.idOf)));
		const lists = sim.requests.filter((request) => !isLeadRequest(request.vendor, request.path));
		// Chatbase, Chatzuri: one list. Robofy: the projects, then each project's agents.
		expect(lists).toHaveLength(fixture.projectId === undefined ? 1 : 3);
	});

	if (fixture.projectId !== undefined) {
		test('every agent of every project, each lead knowing its project', async () => {
			sim.addProject(7, 'Shop');
			sim.addProject(8, 'Blog');
			leadsFor(fixture, 'agent-shop', 2, undefined, 7);
			leadsFor(fixture, 'agent-blog', 3, undefined, 8);
			const items = await runLeads(sim, fixture, { returnAll: true, ...all });
			const seen = new Set(items.map((item) => JSON.stringify([item.json.chatbotId, item.json.projectId, item.json.projectName])));
			expect([...seen].sort()).toEqual([JSON.stringify(['agent-blog', '8', 'Blog']), JSON.stringify(['agent-shop', '7', 'Shop'])]);
			expect(items).toHaveLength(5);
		});
	}

	test('a key that cannot list the chatbots is a clear error about listing', async () => {
		const error = await runLeadsError(sim, fixture, { returnAll: true, ...all }, 'wrong-key-12345');
		expect(error.constructor.name).toBe('NodeApiError');
		expect(error.message).toMatch(new RegExp(`^Could not list the ${fixture.displayName} (projects|${providerByName(fixture.vendor)?.chatbotLabel}s).*rejected the API key`));
		expect(JSON.stringify({ ...error, message: error.message })).not.toContain('wrong-key-12345');
	});

	test('a list in an unexpected shape says so and points at Several by ID', async () => {
		sim.injectFault(fixture.vendor, { kind: 'status', status: 200, body: { nothing: true } });
		const error = await runLeadsError(sim, fixture, { returnAll: true, ...all });
		expect(error.message).toMatch(/Could not list the .* unexpected shape .*Several by ID/);
	});

	test('an account without chatbots returns nothing', async () => {
		const items = await runLeads(sim, fixture, { returnAll: true, ...all });
		expect(items).toEqual([]);
	});
});

describe('Chatbots parameter', () => {
	test('Chatof.ai, which cannot list its chatbots, refuses All before any request and offers Several by ID', async () => {
		const error = await runLeadsError(sim, byVendor('chatofAi'), { returnAll: true, chatbotScope: 'all' });
		expect(error.constructor.name).toBe('NodeOperationError');
		expect(error.message).toMatch(/Chatof\.ai has no API that lists its chatbots.*Several by ID/);
		expect(sim.requests).toHaveLength(0);
	});

	test.each([new ChatbotLeads(), new ChatbotLeadsTrigger()])('%# All is offered only where the vendor lists chatbots; One stays the default', (nodeType) => {
		const scopes = nodeType.description.properties.filter((property) => property.name === 'chatbotScope');
		const offered = Object.fromEntries(
			FIXTURES.map((fixture) => {
				const property = scopes.find((scope) => (scope.displayOptions?.show?.provider as string[]).includes(fixture.vendor));
				return [fixture.vendor, property?.options?.map((option) => ('value' in option ? option.value : undefined))];
			}),
		);
		expect(offered).toMatchObject({
			chatbase: ['all', 'one', 'list'],
			chatzuri: ['all', 'one', 'list'],
			chatofAi: ['one', 'list'],
			robofy: ['all', 'one', 'list'],
		});
		// And every other adapter (test-only vendors too) by whether it can list its chatbots.
		for (const fixture of FIXTURES) {
			expect(offered[fixture.vendor]).toEqual(providerByName(fixture.vendor)?.allChatbots ? ['all', 'one', 'list'] : ['one', 'list']);
		}
		for (const scope of scopes) expect(scope.default).toBe('one');
	});

	test('the parameters One needs are hidden, and not required, for All and Several', async () => {
		const robofy = byVendor('robofy');
		leadsFor(robofy, 'agent-a', 2);
		const empty = { chatbotId: { __rl: true, mode: 'list', value: '' } };
		const listed = await runLeads(sim, robofy, { returnAll: true, ...empty, ...several('agent-a') });
		expect(listed).toHaveLength(2);
		const everything = await runLeads(sim, robofy, { returnAll: true, ...empty, projectId: { __rl: true, mode: 'list', value: '' }, ...all });
		expect(everything).toHaveLength(2);
		// One still needs its chatbot: n8n itself flags the empty required field.
		const one = await runLeadsError(sim, robofy, { returnAll: true, ...empty });
		expect(one.constructor.name).toBe('WorkflowHasIssuesError');
	});

	test('the canvas subtitle says which chatbots', async () => {
		const subtitle = async (parameters: INodeParameters) =>
			await resolveNodeExpression(
				{ nodeType: new ChatbotLeads(), credentialTypes: ALL_CREDENTIALS, parameters: { provider: 'chatbase', ...parameters } },
				String(new ChatbotLeads().description.subtitle),
			);
		expect(await subtitle(all)).toBe('Chatbase: all chatbots');
		expect(await subtitle(several('a,b'))).toBe('Chatbase: several chatbots');
		expect(await subtitle({ chatbotId: { __rl: true, mode: 'id', value: 'bot-7' } })).toBe('Chatbase: bot-7');
	});

	test.each(cases(FIXTURES))('%s: a workflow saved before the parameter existed runs as before, in the same shape', async (_name, fixture) => {
		const stored = leadsFor(fixture, fixture.chatbotId, 5);
		const saved = { ...fixture.parameters, returnAll: true } as IDataObject;
		expect(saved.chatbotScope).toBeUndefined();
		const items = await runLeads(sim, fixture, saved as INodeParameters);
		expect(items).toHaveLength(stored.length);
		for (const item of items) {
			expect(Object.keys(item.json).sort()).toEqual(
				['chatbotId', 'conversationId', 'createdAt', 'email', 'fields', 'id', 'name', 'phone', 'provider'].sort(),
			);
		}
		expect(sim.requests.every((request) => isLeadRequest(request.vendor, request.path))).toBe(true);
	});
});
