/**
 * Issue 20: Include Conversation on the Chatbot Leads node and the polling trigger, through
 * n8n-core's real contexts against the simulator's conversation endpoints.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { EMAIL_RULE } from '../nodes/shared/fetch/conversations';
import { FIXTURES, type VendorFixture } from './fixtures';
import { pollTrigger, runLeads, useSimulator } from './helpers';

const sim = useSimulator();
const MIN = 60_000;
const byVendor = (vendor: string) => FIXTURES.find((fixture) => fixture.vendor === vendor) as VendorFixture;
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
const withConversation = { returnAll: true, options: { includeConversation: true } };
const conversationOf = (item: INodeExecutionData) => item.json.conversation as IDataObject | null;
const conversationRequests = () => sim.requests.filter((request) => /conversations|inbox/.test(request.path));

function byName(items: INodeExecutionData[], name: string): INodeExecutionData {
	const item = items.find((candidate) => candidate.json.name === name);
	if (!item) throw new Error(`no lead named ${name}`);
	return item;
}

describe.each(['chatbase', 'chatzuri'])('%s: conversations by day', (vendor) => {
	const fixture = byVendor(vendor);
	const add = (leads: Array<Record<string, unknown>>) => sim.addLeads(fixture.vendor, fixture.chatbotId, leads);
	const talk = (spec: Record<string, unknown>) => sim.addConversation(fixture.vendor, fixture.chatbotId, spec);

	test('a lead matches the one conversation with its email started in the day before it; the transcript comes in one shape', async () => {
		const conversation = talk({ createdAt: ago(20 * MIN), customer: 'ada@example.com', messages: [{ role: 'user', content: 'Do you ship?' }, { role: 'assistant', content: 'Yes' }] });
		talk({ createdAt: ago(30 * MIN), customer: 'grace@example.com' });
		add([{ name: 'Ada', email: 'Ada@Example.com', createdAt: ago(10 * MIN) }]);
		const [item] = await runLeads(sim, fixture, withConversation);
		expect(conversationOf(item)).toEqual({
			id: conversation.id,
			startedAt: conversation.created_at,
			source: 'Widget or Iframe',
			messages: [
				{ role: 'user', text: 'Do you ship?', at: conversation.messages[0].created_at },
				{ role: 'assistant', text: 'Yes', at: conversation.messages[1].created_at },
			],
			matchedBy: EMAIL_RULE,
		});
		expect(item.json.conversationError).toBeUndefined();
	});

	test('two conversations with the lead\'s email: null and the reason, never a guess; none: null and the reason', async () => {
		talk({ createdAt: ago(40 * MIN), customer: 'ada@example.com' });
		talk({ createdAt: ago(20 * MIN), customer: 'ada@example.com' });
		add([
			{ name: 'Ada', email: 'ada@example.com', createdAt: ago(10 * MIN) },
			{ name: 'Linus', email: 'linus@example.com', createdAt: ago(10 * MIN) },
			{ name: 'Nobody', email: null, createdAt: ago(10 * MIN) },
		]);
		const items = await runLeads(sim, fixture, withConversation);
		expect(conversationOf(byName(items, 'Ada'))).toBeNull();
		expect(byName(items, 'Ada').json.conversationError).toMatch(/^2 conversations with customer email "ada@example.com" .*not guessing/);
		expect(byName(items, 'Linus').json.conversationError).toMatch(/^No conversation with customer email "linus@example.com"/);
		expect(byName(items, 'Nobody').json.conversationError).toMatch(/neither a conversation id nor an email/);
	});

	test('100 leads on one day cost a conversation request per day and page (that day and the day before), each asked once', async () => {
		for (let i = 0; i < 100; i++) talk({ createdAt: ago((i + 2) * MIN), customer: `visitor${i}@example.com` });
		add(Array.from({ length: 100 }, (_, i) => ({ name: `v${i}`, email: `visitor${i}@example.com`, createdAt: ago((i + 1) * MIN) })));
		const without = await runLeads(sim, fixture, { returnAll: true });
		const leadRequests = sim.requests.length;
		const items = await runLeads(sim, fixture, withConversation);
		expect(without.every((item) => item.json.conversation === undefined)).toBe(true);
		expect(sim.requests.length - leadRequests - leadRequests).toBe(conversationRequests().length);
		const asked = conversationRequests().map((request) => JSON.stringify(request.query));
		expect(new Set(asked).size).toBe(asked.length);
		// Two days a page each, plus an empty second page after a full one (100 conversations): 3, never one per lead.
		expect(asked.length).toBeGreaterThanOrEqual(2);
		expect(asked.length).toBeLessThanOrEqual(3);
		expect(items.filter((item) => conversationOf(item)?.matchedBy === EMAIL_RULE)).toHaveLength(100);
	});

	test('a rate-limited conversations request (429, Retry-After) is retried, as lead requests are', async () => {
		sim.injectFault(fixture.vendor, { kind: 'status', status: 429, headers: { 'retry-after': '0' }, match: { path: '/get-conversations' } });
		talk({ createdAt: ago(20 * MIN), customer: 'ada@example.com' });
		add([{ name: 'Ada', email: 'ada@example.com', createdAt: ago(10 * MIN) }]);
		const [item] = await runLeads(sim, fixture, withConversation);
		expect(conversationOf(item)?.matchedBy).toBe(EMAIL_RULE);
		expect(conversationRequests().filter((request) => request.status === 429)).toHaveLength(1);
	});

	test('conversations the plan may not read (403): every lead still comes, with conversation null and why', async () => {
		sim.injectFault(fixture.vendor, { kind: 'status', status: 403, times: Infinity, match: { path: '/get-conversations' } });
		add([{ name: 'Ada', email: 'ada@example.com', createdAt: ago(10 * MIN) }]);
		const [item] = await runLeads(sim, fixture, withConversation);
		expect(item.json.name).toBe('Ada');
		expect(item.json.conversation).toBeNull();
		expect(item.json.conversationError).toMatch(/^The conversation could not be fetched: .*403/);
	});
});

test('Chatbase: a lead that names its conversation is matched by id', async () => {
	const fixture = byVendor('chatbase');
	sim.addConversation('chatbase', fixture.chatbotId, { id: 'conv-42', createdAt: ago(20 * MIN), customer: 'someone-else@example.com' });
	sim.addLeads('chatbase', fixture.chatbotId, [{ name: 'Ada', email: 'ada@example.com', conversationId: 'conv-42', createdAt: ago(10 * MIN) }]);
	const [item] = await runLeads(sim, fixture, withConversation);
	expect(conversationOf(item)).toMatchObject({ id: 'conv-42', matchedBy: 'conversationId' });
});

test('Chatof.ai: no endpoint returns a conversation; conversation null says so and conversationId stays', async () => {
	const fixture = byVendor('chatofAi');
	sim.addLeads('chatofAi', fixture.chatbotId, [{ name: 'Ada', email: 'ada@example.com', createdAt: ago(10 * MIN) }]);
	const [item] = await runLeads(sim, fixture, withConversation);
	expect(item.json.conversation).toBeNull();
	expect(item.json.conversationError).toMatch(/Chatof\.ai has no API that returns a past conversation/);
	expect(typeof item.json.conversationId).toBe('string');
	expect(conversationRequests()).toHaveLength(0);
});

test('Robofy: the lead\'s session is its conversation, one request per session', async () => {
	const fixture = byVendor('robofy');
	const options = { projectId: fixture.projectId };
	sim.addConversation('robofy', fixture.chatbotId, { id: 'sess-1', createdAt: ago(20 * MIN), messages: [{ role: 'user', content: 'Price?' }] }, options);
	sim.addLeads('robofy', fixture.chatbotId, [{ name: 'Ada', email: 'ada@example.com', sessionId: 'sess-1', createdAt: ago(10 * MIN) }, { name: 'Lone', sessionId: 'sess-gone', createdAt: ago(5 * MIN) }], options);
	const items = await runLeads(sim, fixture, withConversation);
	expect(conversationOf(byName(items, 'Ada'))).toMatchObject({ id: 'sess-1', matchedBy: 'conversationId', messages: [{ role: 'user', text: 'Price?' }] });
	expect(byName(items, 'Lone').json.conversation).toBeNull();
	expect(byName(items, 'Lone').json.conversationError).toMatch(/404/);
	expect(conversationRequests()).toHaveLength(2);
});

test('Trigger: new leads come with their conversation; a failing conversation fetch neither fails the poll nor repeats the lead', async () => {
	const fixture = byVendor('chatbase');
	const parameters = { options: { includeConversation: true } };
	sim.addChatbot('chatbase', fixture.chatbotId);
	const first = await pollTrigger(sim, fixture, {}, parameters);
	sim.addConversation('chatbase', fixture.chatbotId, { createdAt: ago(2 * MIN), customer: 'ada@example.com' });
	sim.addLeads('chatbase', fixture.chatbotId, [{ name: 'Ada', email: 'ada@example.com', createdAt: ago(MIN) }]);
	const second = await pollTrigger(sim, fixture, first.staticData, parameters);
	expect(conversationOf(second.items[0])?.matchedBy).toBe(EMAIL_RULE);
	sim.injectFault('chatbase', { kind: 'status', status: 500, times: Infinity, match: { path: '/get-conversations' } });
	sim.addLeads('chatbase', fixture.chatbotId, [{ name: 'Grace', email: 'grace@example.com', createdAt: ago(30_000) }]);
	const third = await pollTrigger(sim, fixture, second.staticData, parameters);
	expect(third.items.map((item) => item.json.name)).toEqual(['Grace']);
	expect(third.items[0].json.conversation).toBeNull();
	const fourth = await pollTrigger(sim, fixture, third.staticData, parameters);
	expect(fourth.items).toHaveLength(0);
});
