/**
 * The Chatbot Leads Trigger over several chatbots (Chatbots: All, Several by ID), through n8n-core's
 * real PollContext: exactly once per chatbot, chatbots joining and leaving, what an idle poll
 * costs, and a failing chatbot that holds no other chatbot back (issue 19).
 */
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { DEFAULT_LIST_EVERY_MS } from '../nodes/shared/parameters/chatbots';
import { UNLISTED_KEPT_MS } from '../nodes/ChatbotLeadsTrigger/nextState';
import { providerByName } from '../nodes/shared/vendors';
import { FIXTURES, type VendorFixture } from './fixtures';
import { durableTrigger, leadRequests, pollTrigger, useHostClock, useSimulator } from './helpers';
import { isLeadRequest } from './simulator';

const sim = useSimulator();
const clock = useHostClock();

const MIN = 60_000;
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
const cases = (fixtures: VendorFixture[]) => fixtures.map((fixture) => [fixture.displayName, fixture] as [string, VendorFixture]);
const LISTING = FIXTURES.filter((fixture) => providerByName(fixture.vendor)?.allChatbots);
const byVendor = (vendor: string) => FIXTURES.find((fixture) => fixture.vendor === vendor) as VendorFixture;

const several = (chatbotIds: string[]): INodeParameters => ({ chatbotScope: 'list', chatbotIds: chatbotIds.join(', ') });
const all: INodeParameters = { chatbotScope: 'all' };
const emitted = (items: INodeExecutionData[]) => items.map((item) => `${String(item.json.chatbotId)}:${String(item.json.name)}`);
/** Three leads just before activation: the account's newest, which the trigger's start mark follows. */
const recentBefore = (vendor: VendorFixture['vendor'], chatbotId: string, projectId?: number) =>
	sim.addLeads(vendor, chatbotId, [3, 2, 1].map((n) => ({ name: `recent-${n}`, createdAt: ago(n * MIN) })), { projectId });

function cursorOf(staticData: IDataObject): IDataObject {
	return (staticData['node:Chatbot Leads Trigger'] as IDataObject).leadCursor as IDataObject;
}
const chatbotKeys = (staticData: IDataObject) => Object.keys(cursorOf(staticData).chatbots as IDataObject).sort();
const key = (fixture: VendorFixture, chatbotId: string, projectId = fixture.projectId) =>
	JSON.stringify([fixture.vendor, projectId === undefined ? {} : { projectId: String(projectId) }, chatbotId]);

describe.each(cases(FIXTURES))('Trigger, Chatbots: Several by ID with %s', (_name, fixture) => {
	const add = (chatbotId: string, name: string, createdAt: string) =>
		sim.addLeads(fixture.vendor, chatbotId, [{ name, createdAt }], { projectId: fixture.projectId });
	const existing = (chatbotId: string, count = 12) =>
		sim.generateLeads(fixture.vendor, chatbotId, count, { start: ago(6 * 60 * MIN), stepMs: 20 * MIN, projectId: fixture.projectId });

	test('activation remembers every chatbot\'s leads; then each new lead once, oldest first across chatbots', async () => {
		for (const bot of ['bot-a', 'bot-b', 'bot-c']) existing(bot);
		const parameters = several(['bot-a', 'bot-b', 'bot-c']);
		const first = await pollTrigger(sim, fixture, {}, parameters);
		expect(first.items).toHaveLength(0);
		expect(chatbotKeys(first.staticData)).toEqual(['bot-a', 'bot-b', 'bot-c'].map((bot) => key(fixture, bot)).sort());

		add('bot-b', 'b1', ago(50_000));
		add('bot-a', 'a1', ago(40_000));
		add('bot-c', 'c1', ago(30_000));
		add('bot-a', 'a2', ago(20_000));
		const second = await pollTrigger(sim, fixture, first.staticData, parameters);
		expect(emitted(second.items)).toEqual(['bot-b:b1', 'bot-a:a1', 'bot-c:c1', 'bot-a:a2']);
		if (fixture.projectId !== undefined) {
			for (const item of second.items) expect(item.json.projectId).toBe(String(fixture.projectId));
		}
		const third = await pollTrigger(sim, fixture, second.staticData, parameters);
		expect(third.items).toHaveLength(0);
	});

	test('a chatbot added to the list emits what it captured since the trigger started, not its history; one taken off and added back goes on from its cursor', async () => {
		existing('bot-a');
		recentBefore(fixture.vendor, 'bot-a', fixture.projectId);
		existing('bot-new');
		const before = await pollTrigger(sim, fixture, {}, several(['bot-a']));
		add('bot-a', 'a1', ago(30_000));
		add('bot-new', 'made before it was added', ago(20_000));
		const added = await pollTrigger(sim, fixture, before.staticData, several(['bot-a', 'bot-new']));
		expect(emitted(added.items)).toEqual(['bot-a:a1', 'bot-new:made before it was added']);
		add('bot-new', 'n1', ago(10_000));
		const next = await pollTrigger(sim, fixture, added.staticData, several(['bot-a', 'bot-new']));
		expect(emitted(next.items)).toEqual(['bot-new:n1']);

		const removed = await pollTrigger(sim, fixture, next.staticData, several(['bot-new']));
		expect(removed.items).toHaveLength(0);
		expect(chatbotKeys(removed.staticData)).toEqual([key(fixture, 'bot-new')]);
		expect(Object.keys(cursorOf(removed.staticData).unlisted as IDataObject)).toEqual([key(fixture, 'bot-a')]);
		add('bot-a', 'while taken off', ago(5_000));
		const back = await pollTrigger(sim, fixture, removed.staticData, several(['bot-a', 'bot-new']));
		expect(emitted(back.items)).toEqual(['bot-a:while taken off']);
	});

	test('with First Poll "since a date", a chatbot added later emits its leads since that date too', async () => {
		const since = new Date(Date.now() - 2 * 60 * MIN).toISOString().slice(0, 10);
		const parameters = { firstPoll: 'emitSince', emitSince: since };
		sim.addChatbot(fixture.vendor, 'bot-a', { projectId: fixture.projectId });
		const first = await pollTrigger(sim, fixture, {}, { ...parameters, ...several(['bot-a']) });
		add('bot-late', 'made before it was added', ago(30_000));
		const added = await pollTrigger(sim, fixture, first.staticData, { ...parameters, ...several(['bot-a', 'bot-late']) });
		expect(emitted(added.items)).toEqual(['bot-late:made before it was added']);
	});

	test('switching from One Chatbot to Several keeps that chatbot\'s cursor: nothing lost, nothing repeated', async () => {
		existing(fixture.chatbotId);
		recentBefore(fixture.vendor, fixture.chatbotId, fixture.projectId);
		existing('bot-other');
		const one = await pollTrigger(sim, fixture, {});
		add(fixture.chatbotId, 'while switching', ago(10_000));
		const switched = await pollTrigger(sim, fixture, one.staticData, several([fixture.chatbotId, 'bot-other']));
		expect(emitted(switched.items)).toEqual([`${fixture.chatbotId}:while switching`]);
	});

	test('when every chatbot fails the poll fails, naming one, and no cursor moves', async () => {
		for (const bot of ['bot-a', 'bot-b', 'bot-c']) existing(bot, 3);
		const parameters = several(['bot-a', 'bot-b', 'bot-c']);
		const first = await pollTrigger(sim, fixture, {}, parameters);
		add('bot-a', 'a1', ago(30_000));
		add('bot-b', 'b1', ago(20_000));
		add('bot-c', 'c1', ago(10_000));
		sim.injectFault(fixture.vendor, { kind: 'status', status: 500, times: Infinity });
		const failed = pollTrigger(sim, fixture, first.staticData, { ...parameters, options: { concurrency: 1 } });
		await expect(failed).rejects.toThrow(/server error \(HTTP 500\) after 3 attempts/);
		await expect(failed).rejects.toThrow(/"bot-[abc]"/);
		sim.clearFaults();
		const recovered = await pollTrigger(sim, fixture, first.staticData, parameters);
		expect(emitted(recovered.items)).toEqual(['bot-a:a1', 'bot-b:b1', 'bot-c:c1']);
		expect((await pollTrigger(sim, fixture, recovered.staticData, parameters)).items).toHaveLength(0);
	});

	test('Fetch Test Event shows the newest lead of all the chatbots, and changes nothing', async () => {
		add('bot-a', 'older', ago(3 * MIN));
		add('bot-b', 'newest', ago(MIN));
		const sample = await pollTrigger(sim, fixture, {}, several(['bot-a', 'bot-b']), 'manual');
		expect(emitted(sample.items)).toEqual(['bot-b:newest']);
		expect(sample.changed).toBe(false);
	});

	test('Fetch Test Event over 20 chatbots with leads asks only the first few (4 at a time), one page each', async () => {
		const bots = Array.from({ length: 20 }, (_, i) => `bot-${i}`);
		for (const bot of bots) existing(bot, 150);
		const sample = await pollTrigger(sim, fixture, {}, several(bots), 'manual');
		expect(sample.items).toHaveLength(1);
		const asked = new Set(leadRequests(sim, fixture).map((request) => request.path + JSON.stringify(request.query)));
		expect(asked.size).toBeLessThanOrEqual(8);
	});
});

describe('Trigger, Several by ID: paced requests', () => {
	test('chatbots are polled a few at a time (Concurrent Requests)', async () => {
		const fixture = byVendor('chatbase');
		const bots = ['b1', 'b2', 'b3', 'b4', 'b5', 'b6', 'b7', 'b8'];
		for (const bot of bots) sim.addChatbot('chatbase', bot);
		sim.setOptions('chatbase', { latencyMs: 40 });
		const first = await pollTrigger(sim, fixture, {}, { ...several(bots), options: { concurrency: 3 } });
		expect(sim.maxInFlight).toBe(3);
		expect(chatbotKeys(first.staticData)).toHaveLength(8);
	});

	test('a server that limits concurrent requests slows the poll down instead of failing it; nothing is lost', async () => {
		const fixture = byVendor('chatofAi');
		const bots = ['b1', 'b2', 'b3', 'b4', 'b5', 'b6'];
		const parameters = { ...several(bots), options: { concurrency: 4, maxRetries: 0 } };
		for (const bot of bots) sim.addChatbot('chatofAi', bot);
		const first = await pollTrigger(sim, fixture, {}, parameters);
		for (const bot of bots) sim.addLeads('chatofAi', bot, [{ name: 'new', createdAt: ago(10_000) }]);
		sim.setOptions('chatofAi', { maxConcurrentRequests: 1, retryAfterSeconds: 0.02, latencyMs: 20 });
		const second = await pollTrigger(sim, fixture, first.staticData, parameters);
		expect(emitted(second.items).sort()).toEqual(bots.map((bot) => `${bot}:new`));
		expect(sim.requests.some((request) => request.status === 429)).toBe(true);
	});
});

describe.each(cases(LISTING))('Trigger, Chatbots: All Chatbots of the Account with %s', (_name, fixture) => {
	const project = (n: number) => (fixture.projectId === undefined ? undefined : n);
	const add = (chatbotId: string, name: string, createdAt: string, projectId = project(7)) =>
		sim.addLeads(fixture.vendor, chatbotId, [{ name, createdAt }], { projectId });

	test('an idle poll costs one request per chatbot, and a list request only once the list is a few minutes old', async () => {
		// Rechecks off: each chatbot's recheck has its own phase and would fall into some of these polls.
		const all: INodeParameters = { chatbotScope: 'all', options: { recheckHours: 0 } };
		for (const bot of ['bot-a', 'bot-b', 'bot-c']) sim.addChatbot(fixture.vendor, bot, { name: `Name of ${bot}`, projectId: project(7) });
		// A busy chatbot (full pages) and two quiet ones (a short page, or none).
		sim.generateLeads(fixture.vendor, 'bot-a', 150, { start: ago(150 * 20 * MIN), stepMs: 20 * MIN, projectId: project(7) });
		add('bot-b', 'old', ago(10 * MIN));
		const first = await pollTrigger(sim, fixture, {}, all);
		const listRequests = (fixture.projectId === undefined ? 1 : 2);
		const isList = (path: string) => !isLeadRequest(fixture.vendor, path);
		expect(sim.requests.filter((request) => isList(request.path))).toHaveLength(listRequests);

		let staticData = first.staticData;
		const idle = async () => {
			sim.clearRequests();
			const result = await pollTrigger(sim, fixture, staticData, all);
			expect(result.items).toHaveLength(0);
			staticData = result.staticData;
			return { lists: sim.requests.filter((request) => isList(request.path)).length, leads: sim.requests.filter((request) => !isList(request.path)).length };
		};
		expect(await idle()).toEqual({ lists: 0, leads: 3 });
		clock.advance(DEFAULT_LIST_EVERY_MS - MIN);
		expect(await idle()).toEqual({ lists: 0, leads: 3 });
		clock.advance(2 * MIN);
		expect(await idle()).toEqual({ lists: listRequests, leads: 3 });
		expect(await idle()).toEqual({ lists: 0, leads: 3 });
	});

	test('each new lead once, with its chatbot\'s name; a chatbot created later emits every lead it captured, one deleted is no longer polled', async () => {
		sim.addChatbot(fixture.vendor, 'bot-sales', { name: 'Sales', projectId: project(7) });
		sim.addChatbot(fixture.vendor, 'bot-gone', { name: 'Old bot', projectId: project(8) });
		add('bot-sales', 'existing', ago(30 * MIN));
		const first = await pollTrigger(sim, fixture, {}, all);
		expect(first.items).toHaveLength(0);

		add('bot-sales', 's1', ago(50_000));
		sim.removeChatbot(fixture.vendor, 'bot-gone');
		sim.addChatbot(fixture.vendor, 'bot-new', { name: 'New bot', projectId: project(8) });
		add('bot-new', 'there before it was seen', ago(40_000), project(8));
		// Within a few minutes the cached list still names bot-gone: its 404 makes the poll list anew.
		clock.advance(MIN);
		const second = await pollTrigger(sim, fixture, first.staticData, all);
		expect(emitted(second.items)).toEqual(['bot-sales:s1']);
		expect(second.items[0].json.chatbotName).toBe('Sales');
		if (fixture.projectId !== undefined) expect(second.items[0].json).toMatchObject({ projectId: '7', projectName: 'Project 7' });
		// bot-new, in the new list, is polled from the next poll on.
		expect(chatbotKeys(second.staticData)).toEqual([key(fixture, 'bot-sales', project(7))]);
		expect(Object.keys(cursorOf(second.staticData).unlisted as IDataObject)).toEqual([key(fixture, 'bot-gone', project(8))]);

		add('bot-new', 'n1', ago(10_000), project(8));
		const third = await pollTrigger(sim, fixture, second.staticData, all);
		expect(emitted(third.items)).toEqual(['bot-new:there before it was seen', 'bot-new:n1']);
		expect(third.items[0].json.chatbotName).toBe('New bot');
	});

	test('a chatbot created since the last listing is polled once the list is a few minutes old', async () => {
		sim.addChatbot(fixture.vendor, 'bot-a', { projectId: project(7) });
		const first = await pollTrigger(sim, fixture, {}, all);
		sim.addChatbot(fixture.vendor, 'bot-b', { projectId: project(7) });
		const cached = await pollTrigger(sim, fixture, first.staticData, all);
		expect(chatbotKeys(cached.staticData)).toEqual([key(fixture, 'bot-a', project(7))]);
		clock.advance(DEFAULT_LIST_EVERY_MS);
		add('bot-b', 'there before it was seen', ago(10_000));
		const relisted = await pollTrigger(sim, fixture, cached.staticData, all);
		expect(emitted(relisted.items)).toEqual(['bot-b:there before it was seen']);
		expect(chatbotKeys(relisted.staticData)).toEqual([key(fixture, 'bot-a', project(7)), key(fixture, 'bot-b', project(7))].sort());
		add('bot-b', 'b1', ago(5_000));
		expect(emitted((await pollTrigger(sim, fixture, relisted.staticData, all)).items)).toEqual(['bot-b:b1']);
	});

	test('a chatbot the list leaves out keeps its cursor: its leads of that while come out once it is back; after 7 days a compact one, for a year', async () => {
		for (const bot of ['bot-a', 'bot-b']) sim.addChatbot(fixture.vendor, bot, { projectId: project(7) });
		add('bot-b', 'existing', ago(30 * MIN));
		const first = await pollTrigger(sim, fixture, {}, all);
		expect(first.items).toHaveLength(0);

		sim.setChatbotListed(fixture.vendor, 'bot-b', false);
		clock.advance(DEFAULT_LIST_EVERY_MS);
		add('bot-b', 'while unlisted', ago(10_000));
		const without = await pollTrigger(sim, fixture, first.staticData, all);
		expect(without.items).toHaveLength(0);
		expect(chatbotKeys(without.staticData)).toEqual([key(fixture, 'bot-a', project(7))]);
		expect(Object.keys(cursorOf(without.staticData).unlisted as IDataObject)).toEqual([key(fixture, 'bot-b', project(7))]);

		sim.setChatbotListed(fixture.vendor, 'bot-b', true);
		clock.advance(DEFAULT_LIST_EVERY_MS);
		add('bot-b', 'after', ago(5_000));
		const back = await pollTrigger(sim, fixture, without.staticData, all);
		expect(emitted(back.items)).toEqual(['bot-b:while unlisted', 'bot-b:after']);
		expect(cursorOf(back.staticData).unlisted).toBeUndefined();
		expect((await pollTrigger(sim, fixture, back.staticData, all)).items).toHaveLength(0);

		sim.setChatbotListed(fixture.vendor, 'bot-b', false);
		clock.advance(DEFAULT_LIST_EVERY_MS);
		const left = await pollTrigger(sim, fixture, back.staticData, all);
		clock.advance(UNLISTED_KEPT_MS - MIN);
		const kept = await pollTrigger(sim, fixture, left.staticData, all);
		expect(Object.keys(cursorOf(kept.staticData).unlisted as IDataObject)).toEqual([key(fixture, 'bot-b', project(7))]);
		clock.advance(MIN);
		const compacted = await pollTrigger(sim, fixture, kept.staticData, all);
		const entry = (cursorOf(compacted.staticData).unlisted as IDataObject)[key(fixture, 'bot-b', project(7))] as IDataObject;
		expect(JSON.stringify(entry.state).length).toBeLessThanOrEqual(JSON.stringify((cursorOf(kept.staticData).unlisted as IDataObject)[key(fixture, 'bot-b', project(7))]).length);
		add('bot-b', 'after a week away', ago(5_000));
		sim.setChatbotListed(fixture.vendor, 'bot-b', true);
		clock.advance(DEFAULT_LIST_EVERY_MS);
		expect(emitted((await pollTrigger(sim, fixture, compacted.staticData, all)).items)).toEqual(['bot-b:after a week away']);
	});

	test('Several by ID keeps the cursor of a chatbot taken off the list, so adding it back repeats nothing', async () => {
		for (const bot of ['bot-a', 'bot-b']) sim.addChatbot(fixture.vendor, bot, { projectId: fixture.projectId });
		add('bot-b', 'b-existing', ago(MIN), fixture.projectId);
		const both = await pollTrigger(sim, fixture, {}, several(['bot-a', 'bot-b']));
		const one = await pollTrigger(sim, fixture, both.staticData, several(['bot-a']));
		expect(chatbotKeys(one.staticData)).toEqual([key(fixture, 'bot-a')]);
		expect(Object.keys(cursorOf(one.staticData).unlisted as IDataObject)).toEqual([key(fixture, 'bot-b')]);
		expect((await pollTrigger(sim, fixture, one.staticData, several(['bot-a', 'bot-b']))).items).toHaveLength(0);
	});

	test('List Chatbots Every sets how long the list is reused', async () => {
		sim.addChatbot(fixture.vendor, 'bot-a', { projectId: project(7) });
		const parameters = { ...all, options: { listEveryMinutes: 1 } };
		const first = await pollTrigger(sim, fixture, {}, parameters);
		sim.addChatbot(fixture.vendor, 'bot-b', { projectId: project(7) });
		clock.advance(MIN - 1000);
		const cached = await pollTrigger(sim, fixture, first.staticData, parameters);
		expect(chatbotKeys(cached.staticData)).toHaveLength(1);
		clock.advance(1000);
		const relisted = await pollTrigger(sim, fixture, cached.staticData, parameters);
		expect(chatbotKeys(relisted.staticData)).toHaveLength(2);
	});

	test('the stored state grows with the chatbots, not with their leads', async () => {
		const bytes = async (bots: string[]) => {
			sim.reset();
			for (const bot of bots) {
				sim.addChatbot(fixture.vendor, bot, { projectId: project(7) });
				sim.generateLeads(fixture.vendor, bot, 300, { start: ago(300 * 20 * MIN), stepMs: 20 * MIN, projectId: project(7) });
			}
			const { staticData } = await pollTrigger(sim, fixture, {}, all);
			const cursor = cursorOf(staticData);
			return Object.values(cursor.chatbots as IDataObject).map((state) => Buffer.byteLength(JSON.stringify(state)));
		};
		const [alone] = await bytes(['bot-1']);
		const many = await bytes(['bot-1', 'bot-2', 'bot-3', 'bot-4']);
		expect(many).toHaveLength(4);
		for (const size of many) expect(size).toBeLessThanOrEqual(alone + 16);
	});
});

describe('Trigger, several chatbots under the durable scheduler', () => {
	test('leads captured between activation and the first tick are emitted once for every chatbot', async () => {
		const fixture = byVendor('robofy');
		for (const bot of ['agent-a', 'agent-b']) {
			sim.generateLeads('robofy', bot, 10, { start: ago(60 * MIN), stepMs: 5 * MIN, projectId: 101 });
		}
		const trigger = durableTrigger(sim, fixture, several(['agent-a', 'agent-b']));
		expect((await trigger.activate()).items).toBeNull();
		sim.addLeads('robofy', 'agent-a', [{ name: 'between-a', createdAt: ago(20_000) }], { projectId: 101 });
		sim.addLeads('robofy', 'agent-b', [{ name: 'between-b', createdAt: ago(10_000) }], { projectId: 101 });
		const tick = await trigger.tick();
		expect(emitted(tick.items?.[0] ?? [])).toEqual(['agent-a:between-a', 'agent-b:between-b']);
		expect((await trigger.tick()).items).toBeNull();
	});
});
