/**
 * Issue 19, one scenario at a time, through n8n-core's real PollContext: a long outage, a First
 * Poll date days back, a renamed node, a copied workflow, a failing chatbot among several (at a
 * poll and at activation), future-dated leads with rechecks off, and rechecks spread over polls.
 * (test/triggerOperations.test.ts mixes all of these at random.)
 */
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { ChatbotLeadsTrigger } from '../nodes/ChatbotLeadsTrigger/ChatbotLeadsTrigger.node';
import { ALL_CREDENTIALS, FIXTURES, type VendorFixture } from './fixtures';
import { pollNode, type PollOptions } from './harness/n8n';
import { credentialsFor, FAST_RETRIES, useHostClock, useSimulator } from './helpers';

const sim = useSimulator();
const clock = useHostClock();
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
const names = (items: INodeExecutionData[]) => items.map((item) => String(item.json.name));
const chatbase = FIXTURES.find((fixture) => fixture.vendor === 'chatbase') as VendorFixture;

interface Poller {
	poll(parameters?: INodeParameters, extra?: Partial<PollOptions>): Promise<{ items: INodeExecutionData[]; reported: Error[] }>;
	readonly staticData: IDataObject;
}

/** A trigger whose static data carries over from poll to poll, as n8n persists it. */
function trigger(fixture: VendorFixture, base: INodeParameters = {}, staticData: IDataObject = {}): Poller {
	let data = staticData;
	return {
		async poll(parameters = {}, extra = {}) {
			const merged = { ...fixture.parameters, ...base, ...parameters } as IDataObject;
			const result = await pollNode({
				nodeType: new ChatbotLeadsTrigger(),
				credentialTypes: ALL_CREDENTIALS,
				parameters: { ...merged, options: { ...FAST_RETRIES, ...((merged.options as IDataObject) ?? {}) } },
				credentials: credentialsFor(sim, fixture),
				staticData: data,
				...extra,
			});
			data = result.staticData;
			return { items: result.items?.[0] ?? [], reported: result.reportedErrors };
		},
		get staticData() {
			return data;
		},
	};
}

/** Leads named `${prefix}-${i}`, spread evenly over the span that ends `endAgo` before now. */
function spread(fixture: VendorFixture, chatbotId: string, prefix: string, count: number, spanMs: number, endAgo = 0) {
	const leads = Array.from({ length: count }, (_, i) => ({ name: `${prefix}-${i}`, createdAt: ago(endAgo + spanMs - (i * spanMs) / count) }));
	sim.addLeads(fixture.vendor, chatbotId, leads, { projectId: fixture.projectId });
	return leads.map((lead) => lead.name);
}

describe.each(FIXTURES.map((fixture) => [fixture.displayName, fixture] as const))('%s: ordinary operations', (_name, fixture) => {
	beforeEach(() => sim.addChatbot(fixture.vendor, fixture.chatbotId, { projectId: fixture.projectId }));

	test('n8n down for 72 hours on a busy chatbot: every lead captured meanwhile comes out once, newest-first or not', async () => {
		sim.setOptions(fixture.vendor, { order: 'desc' } as never);
		spread(fixture, fixture.chatbotId, 'before', 30, 2 * HOUR);
		const t = trigger(fixture);
		expect((await t.poll()).items).toHaveLength(0);
		clock.advance(72 * HOUR);
		const during = spread(fixture, fixture.chatbotId, 'during', 240, 72 * HOUR - MIN);
		const first = await t.poll();
		const second = await t.poll();
		expect(names(first.items)).toEqual(during);
		expect(second.items).toHaveLength(0);
	});

	test('First Poll "Also Existing Leads Since a Date" five days back: all 300 leads since that day, once', async () => {
		sim.setOptions(fixture.vendor, { order: 'desc' } as never);
		const day = new Date(Date.now() - 5 * DAY).toISOString().slice(0, 10);
		const parameters = { firstPoll: 'emitSince', emitSince: day };
		spread(fixture, fixture.chatbotId, 'older', 10, 10 * HOUR, 6 * DAY);
		// In the workflow's zone (the harness sets UTC here), from the start of that day on.
		const since = spread(fixture, fixture.chatbotId, 'since', 300, Date.now() - Date.parse(`${day}T00:00:00Z`) - 2 * HOUR, HOUR);
		const t = trigger(fixture, parameters);
		const first = await t.poll({}, { timezone: 'UTC' });
		expect(names(first.items)).toEqual(since);
		expect((await t.poll({}, { timezone: 'UTC' })).items).toHaveLength(0);
	});

	test('renaming the trigger node repeats nothing and loses nothing; a copied workflow starts as a new activation', async () => {
		spread(fixture, fixture.chatbotId, 'existing', 20, 5 * HOUR);
		const t = trigger(fixture);
		await t.poll({}, { nodeName: 'Chatbot Leads Trigger' });
		const first = spread(fixture, fixture.chatbotId, 'first', 3, 10 * MIN);
		expect(names((await t.poll({}, { nodeName: 'Chatbot Leads Trigger' })).items)).toEqual(first);
		clock.advance(5 * MIN);
		const aroundRename = spread(fixture, fixture.chatbotId, 'around-rename', 2, 4 * MIN);
		const copied = JSON.parse(JSON.stringify(t.staticData)) as IDataObject;
		expect(names((await t.poll({}, { nodeName: 'New website leads' })).items)).toEqual(aroundRename);
		const later = spread(fixture, fixture.chatbotId, 'later', 2, MIN);
		expect(names((await t.poll({}, { nodeName: 'New website leads' })).items)).toEqual(later);

		const copy = trigger(fixture, {}, copied);
		expect((await copy.poll({}, { workflowId: 'copiedWf0001', nodeName: 'Chatbot Leads Trigger' })).items).toHaveLength(0);
		const afterCopy = spread(fixture, fixture.chatbotId, 'after-copy', 2, MIN);
		expect(names((await copy.poll({}, { workflowId: 'copiedWf0001', nodeName: 'Chatbot Leads Trigger' })).items)).toEqual(afterCopy);
	});

	test('with rechecks off, a lead dated up to 26 hours ahead neither hides nor delays the next leads; two such leads neither', async () => {
		const parameters = { options: { recheckHours: 0 } };
		spread(fixture, fixture.chatbotId, 'existing', 5, HOUR);
		const t = trigger(fixture, parameters);
		await t.poll();
		const emitted: string[] = [];
		const added: string[] = [];
		const add = (name: string, createdAt: string) => {
			sim.addLeads(fixture.vendor, fixture.chatbotId, [{ name, createdAt }], { projectId: fixture.projectId });
			added.push(name);
		};
		add('future-20h', new Date(Date.now() + 20 * HOUR).toISOString());
		for (let i = 0; i < 5; i++) {
			clock.advance(MIN);
			add(`normal-${i}`, ago(10_000));
			if (i === 2) add('future-25h', new Date(Date.now() + 25 * HOUR).toISOString());
			const { items } = await t.poll();
			expect(names(items)).toContain(`normal-${i}`);
			emitted.push(...names(items));
		}
		expect(emitted.sort()).toEqual(added.sort());
	});
});

describe('Chatbots among several: each its own progress', () => {
	const fixture = chatbase;
	const several: INodeParameters = { chatbotScope: 'list', chatbotIds: 'bot-a, bot-b, bot-c' };
	const add = (chatbotId: string, name: string, at = ago(10_000)) => sim.addLeads('chatbase', chatbotId, [{ name, createdAt: at }]);
	/** Leads just before activation: the account's newest, which the start mark for joining chatbots follows. */
	const recent = (bots = ['bot-a', 'bot-b', 'bot-c']) => {
		for (const bot of bots) for (const n of [3, 2, 1]) add(bot, `${bot}-recent-${n}`, ago(n * MIN));
	};

	test('one chatbot answering 403 for two polls: the others keep flowing, one error execution names it, its leads follow once it answers', async () => {
		recent();
		const t = trigger(fixture, several);
		await t.poll();
		sim.injectFault('chatbase', { kind: 'status', status: 403, body: { message: 'No access to this chatbot' }, times: Infinity, match: { chatbotId: 'bot-b' } });
		add('bot-a', 'a1');
		add('bot-b', 'b1');
		const firstFailing = await t.poll();
		expect(names(firstFailing.items)).toEqual(['a1']);
		expect(firstFailing.reported).toHaveLength(1);
		expect(firstFailing.reported[0].message).toContain('"bot-b"');
		expect(firstFailing.reported[0].message).toContain('HTTP 403');
		expect((firstFailing.reported[0] as Error & { description?: string }).description).toContain('No access to this chatbot');
		clock.advance(MIN);
		add('bot-c', 'c1');
		add('bot-b', 'b2');
		const stillFailing = await t.poll();
		expect(names(stillFailing.items)).toEqual(['c1']);
		expect(stillFailing.reported).toHaveLength(0);
		sim.clearFaults();
		clock.advance(MIN);
		expect(names((await t.poll()).items)).toEqual(['b1', 'b2']);
		sim.injectFault('chatbase', { kind: 'status', status: 500, times: Infinity, match: { chatbotId: 'bot-b' } });
		expect((await t.poll()).reported).toHaveLength(1);
	});

	test('a chatbot that already fails when the workflow is published does not stop the activation; it joins with its leads since then', async () => {
		recent(['bot-a', 'bot-c']);
		add('bot-b', 'history', ago(2 * HOUR));
		sim.injectFault('chatbase', { kind: 'status', status: 500, times: Infinity, match: { chatbotId: 'bot-b' } });
		const t = trigger(fixture, several);
		const activation = await t.poll();
		expect(activation.items).toHaveLength(0);
		expect(activation.reported).toHaveLength(1);
		add('bot-b', 'after activation', ago(5_000));
		sim.clearFaults();
		expect(names((await t.poll()).items)).toEqual(['after activation']);
		expect((await t.poll()).items).toHaveLength(0);
	});

	test('when every chatbot fails, the poll fails (n8n\'s error path) and nothing moves', async () => {
		recent();
		const t = trigger(fixture, several);
		await t.poll();
		add('bot-a', 'a1');
		sim.injectFault('chatbase', { kind: 'status', status: 500, times: Infinity });
		await expect(t.poll()).rejects.toThrow(/HTTP 500/);
		sim.clearFaults();
		expect(names((await t.poll()).items)).toEqual(['a1']);
	});

	test('50 chatbots that start together recheck in different polls, not all in one', async () => {
		const ids = Array.from({ length: 50 }, (_, i) => `bot-${i}`);
		for (const id of ids) sim.addChatbot('chatbase', id);
		const t = trigger(fixture, { chatbotScope: 'list', chatbotIds: ids.join(',') });
		await t.poll();
		const rechecksPerPoll: number[] = [];
		for (let minute = 0; minute < 60; minute++) {
			clock.advance(MIN);
			sim.clearRequests();
			await t.poll();
			// A poll reads each chatbot once; a chatbot that also rechecks reads it a second time.
			rechecksPerPoll.push(sim.requests.filter((request) => /leads/.test(request.path)).length - ids.length);
		}
		expect(rechecksPerPoll.reduce((sum, n) => sum + n, 0)).toBe(ids.length);
		expect(Math.max(...rechecksPerPoll)).toBeLessThanOrEqual(6);
	});
});
