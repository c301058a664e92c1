/**
 * Proves test/harness/n8n.ts's pollNode and createPollSession with tiny dummy triggers (dummyNodes.ts).
 */
import nock from 'nock';
import { NodeApiError } from 'n8n-workflow';

import { createPollSession, pollNode } from './n8n';
import { BASE_URL, credentialTypes, CounterTrigger, NestedCursorTrigger, ReadOnlyTrigger, LeadsTrigger, credentials } from './dummyNodes';

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('pollNode (PollContext + PollTriggerExecutor)', () => {
	it('persists a counter assigned to node static data across polls', async () => {
		const first = await pollNode({ nodeType: new CounterTrigger(), credentialTypes, parameters: {}, credentials });
		expect(first.items).toEqual([[{ json: { count: 1, mode: 'trigger', activation: 'activate' } }]]);
		expect(first.staticDataChanged).toBe(true);
		expect(first.persisted).toBe(true);
		expect(first.staticData).toEqual({ 'node:Counter Trigger': { count: 1 } });

		const second = await pollNode({
			nodeType: new CounterTrigger(),
			credentialTypes,
			parameters: {},
			credentials,
			staticData: first.staticData,
		});
		expect(second.items?.[0][0].json.count).toBe(2);
		expect(second.staticDataChanged).toBe(true);
		expect(second.staticData).toEqual({ 'node:Counter Trigger': { count: 2 } });
		// the input is never mutated
		expect(first.staticData).toEqual({ 'node:Counter Trigger': { count: 1 } });
	});

	it('reports no change (and returns the input as is) for a node that only reads', async () => {
		const input = { 'node:Read Only Trigger': { seen: 3 } };
		const result = await pollNode({
			nodeType: new ReadOnlyTrigger(),
			credentialTypes,
			parameters: {},
			credentials,
			staticData: input,
		});
		expect(result.items).toEqual([[{ json: { seen: 3 } }]]);
		expect(result.staticDataChanged).toBe(false);
		expect(result.persisted).toBe(false);
		expect(result.staticData).toBe(input);
	});

	it('after a reload, n8n notices in-place mutation of a loaded nested object (ObservableObject wraps it)', async () => {
		const result = await pollNode({
			nodeType: new NestedCursorTrigger(),
			credentialTypes,
			parameters: {},
			credentials,
			staticData: { 'node:Nested Cursor Trigger': { cursor: { n: 1 } } },
		});
		expect(result.items).toEqual([[{ json: { n: 2 } }]]);
		expect(result.staticDataChanged).toBe(true);
		expect(result.staticData).toEqual({ 'node:Nested Cursor Trigger': { cursor: { n: 2 } } });
	});

	it('without restarts, in-place mutation of an object assigned earlier is NOT persisted (legacy save timing)', async () => {
		const session = createPollSession({
			nodeType: new NestedCursorTrigger(),
			credentialTypes,
			parameters: {},
			credentials,
		});

		// poll 1 assigns { n: 0 } and returns null: changed in memory, nothing written yet
		const p1 = await session.poll();
		expect(p1.items).toBeNull();
		expect(p1.staticDataChanged).toBe(true);
		expect(p1.persisted).toBe(false);
		expect(session.persistedStaticData).toEqual({});

		// poll 2 emits: __emit -> saveStaticData() writes (flag still set from poll 1) and resets it
		const p2 = await session.poll();
		expect(p2.items).toEqual([[{ json: { n: 1 } }]]);
		expect(p2.persisted).toBe(true);
		expect(session.persistedStaticData).toEqual({ 'node:Nested Cursor Trigger': { cursor: { n: 1 } } });

		// poll 3 mutates the plain (unwrapped) object in place: no flag, nothing written
		const p3 = await session.poll();
		expect(p3.items).toEqual([[{ json: { n: 2 } }]]);
		expect(p3.staticDataChanged).toBe(false);
		expect(p3.persisted).toBe(false);
		expect(p3.inMemoryStaticData).toEqual({ 'node:Nested Cursor Trigger': { cursor: { n: 2 } } });
		expect(session.persistedStaticData).toEqual({ 'node:Nested Cursor Trigger': { cursor: { n: 1 } } });

		// after a restart n8n resumes from the stale cursor and emits n=2 again
		session.restart();
		const p4 = await session.poll();
		expect(p4.items).toEqual([[{ json: { n: 2 } }]]);
	});

	it('uses the credentials in the poll context and persists the cursor only when there is something new', async () => {
		const scope = nock(BASE_URL)
			.get('/leads')
			.query({ since: '0' })
			.matchHeader('authorization', 'Bearer k')
			.reply(200, { leads: [{ id: 4 }, { id: 7 }] })
			.get('/leads')
			.query({ since: '7' })
			.matchHeader('authorization', 'Bearer k')
			.reply(200, { leads: [] });

		const first = await pollNode({ nodeType: new LeadsTrigger(), credentialTypes, parameters: {}, credentials });
		expect(first.items).toEqual([[{ json: { id: 4 } }, { json: { id: 7 } }]]);
		expect(first.staticData).toEqual({ 'node:Leads Trigger': { lastId: 7 } });

		const second = await pollNode({
			nodeType: new LeadsTrigger(),
			credentialTypes,
			parameters: {},
			credentials,
			staticData: first.staticData,
		});
		expect(second.items).toBeNull();
		expect(second.staticDataChanged).toBe(false);
		expect(second.staticData).toBe(first.staticData);
		expect(scope.isDone()).toBe(true);
	});

	it('rejects with the NodeApiError when the poll fails', async () => {
		nock(BASE_URL).get('/leads').query(true).reply(500, { message: 'down' });

		await expect(
			pollNode({ nodeType: new LeadsTrigger(), credentialTypes, parameters: {}, credentials }),
		).rejects.toBeInstanceOf(NodeApiError);
	});

	it('manual mode ("Fetch Test Event"): runs the poll in manual mode and persists nothing', async () => {
		const input = { 'node:Counter Trigger': { count: 5 } };
		const result = await pollNode({
			nodeType: new CounterTrigger(),
			credentialTypes,
			parameters: {},
			credentials,
			staticData: input,
			mode: 'manual',
		});
		expect(result.items).toEqual([[{ json: { count: 6, mode: 'manual', activation: 'manual' } }]]);
		expect(result.staticDataChanged).toBe(true); // n8n noticed...
		expect(result.persisted).toBe(false); // ...but manual executions never save static data
		expect(result.staticData).toBe(input);
		expect(result.inMemoryStaticData).toEqual({ 'node:Counter Trigger': { count: 6 } });
	});
});
