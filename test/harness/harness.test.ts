/**
 * Proves test/harness/n8n.ts: tiny dummy nodes/credentials run through n8n-core's real machinery.
 */
import nock from 'nock';
import type {
	IAuthenticateGeneric,
	ICredentialType,
	IDataObject,
	IExecuteFunctions,
	ILoadOptionsFunctions,
	INodeExecutionData,
	INodeListSearchResult,
	INodeProperties,
	INodeType,
	INodeTypeDescription,
	IPollFunctions,
} from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { createPollSession, executeNode, loadOptions, pollNode } from './n8n';

const BASE_URL = 'https://api.dummy.test';

// ---------------------------------------------------------------------------------------------
// Dummy credential types (generic Bearer auth, both expression styles)
// ---------------------------------------------------------------------------------------------

const credentialProperties: INodeProperties[] = [
	{
		displayName: 'API Key',
		name: 'apiKey',
		type: 'string',
		typeOptions: { password: true },
		default: '',
	},
	{ displayName: 'Base URL', name: 'baseUrl', type: 'string', default: BASE_URL },
];

class DummyApi implements ICredentialType {
	name = 'dummyApi';

	displayName = 'Dummy API';

	properties = credentialProperties;

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: { headers: { Authorization: '=Bearer {{$credentials.apiKey}}' } },
	};
}

class OtherDummyApi implements ICredentialType {
	name = 'otherDummyApi';

	displayName = 'Other Dummy API';

	properties = credentialProperties;

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: { headers: { Authorization: '={{"Bearer " + $credentials.apiKey}}' } },
	};
}

const credentialTypes = [new DummyApi(), new OtherDummyApi()];

// ---------------------------------------------------------------------------------------------
// Dummy execute node
// ---------------------------------------------------------------------------------------------

class DummyThings implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Dummy Things',
		name: 'dummyThings',
		group: ['transform'],
		version: 1,
		description: 'Fetches things',
		defaults: { name: 'Dummy Things' },
		inputs: ['main'],
		outputs: ['main'],
		credentials: [
			{
				name: 'dummyApi',
				required: true,
				displayOptions: { show: { authentication: ['dummyApi'] } },
			},
			{
				name: 'otherDummyApi',
				required: true,
				displayOptions: { show: { authentication: ['otherDummyApi'] } },
			},
		],
		properties: [
			{
				displayName: 'Authentication',
				name: 'authentication',
				type: 'options',
				options: [
					{ name: 'Dummy API', value: 'dummyApi' },
					{ name: 'Other Dummy API', value: 'otherDummyApi' },
				],
				default: 'dummyApi',
			},
			{ displayName: 'Path', name: 'path', type: 'string', default: '/things' },
			{ displayName: 'Throw Operation Error', name: 'throwOperationError', type: 'boolean', default: false },
		],
	};

	methods = {
		listSearch: {
			async searchThings(
				this: ILoadOptionsFunctions,
				filter?: string,
			): Promise<INodeListSearchResult> {
				const credentialType = this.getNodeParameter('authentication') as string;
				const { baseUrl } = await this.getCredentials<{ baseUrl: string }>(credentialType);
				const response = (await this.helpers.httpRequestWithAuthentication.call(this, credentialType, {
					method: 'GET',
					url: `${baseUrl}/things`,
					qs: filter ? { q: filter } : {},
					json: true,
				})) as { things: Array<{ id: string; name: string }> };
				return { results: response.things.map((t) => ({ name: t.name, value: t.id })) };
			},
		},
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const returnData: INodeExecutionData[] = [];
		for (let i = 0; i < items.length; i++) {
			try {
				if (this.getNodeParameter('throwOperationError', i) as boolean) {
					throw new NodeOperationError(this.getNode(), 'Deliberate failure', { itemIndex: i });
				}
				const credentialType = this.getNodeParameter('authentication', i) as string;
				const { baseUrl } = await this.getCredentials<{ baseUrl: string }>(credentialType, i);
				const path = this.getNodeParameter('path', i) as string;
				const response = (await this.helpers.httpRequestWithAuthentication.call(
					this,
					credentialType,
					{ method: 'GET', url: `${baseUrl}${path}`, json: true },
				)) as { things: IDataObject[] };
				for (const thing of response.things) {
					returnData.push({ json: thing, pairedItem: { item: i } });
				}
			} catch (error) {
				if (this.continueOnFail()) {
					returnData.push({ json: { error: (error as Error).message }, pairedItem: { item: i } });
					continue;
				}
				throw error;
			}
		}
		return [returnData];
	}
}

// ---------------------------------------------------------------------------------------------
// Dummy poll nodes
// ---------------------------------------------------------------------------------------------

const pollDescription = (name: string, displayName: string): INodeTypeDescription => ({
	displayName,
	name,
	group: ['trigger'],
	version: 1,
	description: 'Polls',
	defaults: { name: displayName },
	polling: true,
	inputs: [],
	outputs: ['main'],
	credentials: [{ name: 'dummyApi', required: true }],
	properties: [],
});

/** Keeps a counter in node static data, by ASSIGNMENT (the pattern n8n reliably persists). */
class CounterTrigger implements INodeType {
	description = pollDescription('counterTrigger', 'Counter Trigger');

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		const staticData = this.getWorkflowStaticData('node');
		const count = ((staticData.count as number | undefined) ?? 0) + 1;
		staticData.count = count;
		return [[{ json: { count, mode: this.getMode(), activation: this.getActivationMode() } }]];
	}
}

/** Keeps its cursor in a nested object and only mutates that object in place. */
class NestedCursorTrigger implements INodeType {
	description = pollDescription('nestedCursorTrigger', 'Nested Cursor Trigger');

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		const staticData = this.getWorkflowStaticData('node');
		const cursor = staticData.cursor as { n: number } | undefined;
		if (!cursor) {
			staticData.cursor = { n: 0 }; // first poll: initialise, emit nothing
			return null;
		}
		cursor.n += 1; // in place
		return [[{ json: { n: cursor.n } }]];
	}
}

/** Only reads static data. */
class ReadOnlyTrigger implements INodeType {
	description = pollDescription('readOnlyTrigger', 'Read Only Trigger');

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		const staticData = this.getWorkflowStaticData('node');
		return [[{ json: { seen: (staticData.seen as number | undefined) ?? null } }]];
	}
}

/** Fetches leads since its cursor with the node's credentials. */
class LeadsTrigger implements INodeType {
	description = pollDescription('leadsTrigger', 'Leads Trigger');

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		const staticData = this.getWorkflowStaticData('node');
		const { baseUrl } = await this.getCredentials<{ baseUrl: string }>('dummyApi');
		const response = (await this.helpers.httpRequestWithAuthentication.call(this, 'dummyApi', {
			method: 'GET',
			url: `${baseUrl}/leads`,
			qs: { since: (staticData.lastId as number | undefined) ?? 0 },
			json: true,
		})) as { leads: Array<{ id: number }> };
		if (response.leads.length === 0) return null;
		staticData.lastId = Math.max(...response.leads.map((l) => l.id));
		return [this.helpers.returnJsonArray(response.leads)];
	}
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

const credentials = { dummyApi: { apiKey: 'k', baseUrl: BASE_URL } };

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('executeNode (WorkflowExecute)', () => {
	it('sends the generic Bearer header through httpRequestWithAuthentication and returns paired items', async () => {
		const scope = nock(BASE_URL)
			.get('/things')
			.matchHeader('authorization', 'Bearer k')
			.reply(200, { things: [{ id: 1 }, { id: 2 }] });

		const output = await executeNode({
			nodeType: new DummyThings(),
			credentialTypes,
			parameters: {},
			credentials,
		});

		expect(scope.isDone()).toBe(true);
		expect(output).toEqual([
			[
				{ json: { id: 1 }, pairedItem: { item: 0 } },
				{ json: { id: 2 }, pairedItem: { item: 0 } },
			],
		]);
	});

	it('resolves the ={{"Bearer " + $credentials.apiKey}} form, credential defaults and one request per input item', async () => {
		const scope = nock(BASE_URL)
			.get('/things')
			.times(2)
			.matchHeader('authorization', 'Bearer other')
			.reply(200, { things: [{ id: 'x' }] });

		const output = await executeNode({
			nodeType: new DummyThings(),
			credentialTypes,
			parameters: { authentication: 'otherDummyApi' },
			credentials: { otherDummyApi: { apiKey: 'other' } }, // baseUrl comes from the property default
			inputItems: [{ json: { a: 1 } }, { json: { a: 2 } }],
		});

		expect(scope.isDone()).toBe(true);
		expect(output[0].map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
	});

	it('continueOnFail yields an error item instead of failing', async () => {
		nock(BASE_URL).get('/things').reply(500, { message: 'boom' });

		const output = await executeNode({
			nodeType: new DummyThings(),
			credentialTypes,
			parameters: {},
			credentials,
			continueOnFail: true,
		});

		expect(output).toHaveLength(1);
		expect(output[0]).toHaveLength(1);
		expect(output[0][0].pairedItem).toEqual({ item: 0 });
		expect(typeof output[0][0].json.error).toBe('string');
	});

	it('rejects with the NodeApiError n8n-core built for a failed request', async () => {
		nock(BASE_URL).get('/things').reply(404, { message: 'no such things' });

		const promise = executeNode({
			nodeType: new DummyThings(),
			credentialTypes,
			parameters: {},
			credentials,
		});

		await expect(promise).rejects.toBeInstanceOf(NodeApiError);
		await promise.catch((error: NodeApiError) => {
			expect(error.httpCode).toBe('404');
			expect(error.node?.name).toBe('Dummy Things');
		});
	});

	it('rejects with a NodeOperationError thrown by the node itself', async () => {
		await expect(
			executeNode({
				nodeType: new DummyThings(),
				credentialTypes,
				parameters: { throwOperationError: true },
				credentials,
			}),
		).rejects.toThrow(NodeOperationError);
	});

	it('retries once on 401 like n8n does, then rejects with NodeApiError', async () => {
		const scope = nock(BASE_URL).get('/things').times(2).reply(401, { message: 'bad key' });

		await expect(
			executeNode({ nodeType: new DummyThings(), credentialTypes, parameters: {}, credentials }),
		).rejects.toMatchObject({ httpCode: '401' });
		expect(scope.isDone()).toBe(true);
	});
});

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

describe('loadOptions (LoadOptionsContext)', () => {
	it('runs a listSearch method with the node credentials', async () => {
		const scope = nock(BASE_URL)
			.get('/things')
			.query({ q: 'ab' })
			.matchHeader('authorization', 'Bearer k')
			.reply(200, { things: [{ id: 't1', name: 'Thing 1' }] });

		const result = await loadOptions({
			nodeType: new DummyThings(),
			credentialTypes,
			parameters: {},
			credentials,
			method: 'searchThings',
			filter: 'ab',
		});

		expect(result).toEqual({ results: [{ name: 'Thing 1', value: 't1' }] });
		expect(scope.isDone()).toBe(true);
	});
});
