/**
 * Proves test/harness/n8n.ts: tiny dummy nodes/credentials run through n8n-core's real machinery
 * (executeNode, loadOptions; polling is in poll.test.ts, the dummies in dummyNodes.ts).
 */
import nock from 'nock';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { executeNode, loadOptions } from './n8n';
import { BASE_URL, credentialTypes, DummyThings, credentials } from './dummyNodes';

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
