/**
 * Tiny dummy credentials and nodes for harness.test.ts and poll.test.ts: they prove
 * test/harness/n8n.ts runs nodes through n8n-core's real machinery.
 */
import type { IAuthenticateGeneric, ICredentialType, IDataObject, IExecuteFunctions, ILoadOptionsFunctions, INodeExecutionData, INodeListSearchResult, INodeProperties, INodeType, INodeTypeDescription, IPollFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

export const BASE_URL = 'https://api.dummy.test';

// ---------------------------------------------------------------------------------------------
// Dummy credential types (generic Bearer auth, both expression styles)
// ---------------------------------------------------------------------------------------------

export const credentialProperties: INodeProperties[] = [
	{
		displayName: 'API Key',
		name: 'apiKey',
		type: 'string',
		typeOptions: { password: true },
		default: '',
	},
	{ displayName: 'Base URL', name: 'baseUrl', type: 'string', default: BASE_URL },
];

export class DummyApi implements ICredentialType {
	name = 'dummyApi';

	displayName = 'Dummy API';

	properties = credentialProperties;

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: { headers: { Authorization: '=Bearer {{$credentials.apiKey}}' } },
	};
}

export class OtherDummyApi implements ICredentialType {
	name = 'otherDummyApi';

	displayName = 'Other Dummy API';

	properties = credentialProperties;

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: { headers: { Authorization: '={{"Bearer " + $credentials.apiKey}}' } },
	};
}

export const credentialTypes = [new DummyApi(), new OtherDummyApi()];

// ---------------------------------------------------------------------------------------------
// Dummy execute node
// ---------------------------------------------------------------------------------------------

export class DummyThings implements INodeType {
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

export const pollDescription = (name: string, displayName: string): INodeTypeDescription => ({
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
export class CounterTrigger implements INodeType {
	description = pollDescription('counterTrigger', 'Counter Trigger');

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		const staticData = this.getWorkflowStaticData('node');
		const count = ((staticData.count as number | undefined) ?? 0) + 1;
		staticData.count = count;
		return [[{ json: { count, mode: this.getMode(), activation: this.getActivationMode() } }]];
	}
}

/** Keeps its cursor in a nested object and only mutates that object in place. */
export class NestedCursorTrigger implements INodeType {
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
export class ReadOnlyTrigger implements INodeType {
	description = pollDescription('readOnlyTrigger', 'Read Only Trigger');

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		const staticData = this.getWorkflowStaticData('node');
		return [[{ json: { seen: (staticData.seen as number | undefined) ?? null } }]];
	}
}

/** Fetches leads since its cursor with the node's credentials. */
export class LeadsTrigger implements INodeType {
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

export const credentials = { dummyApi: { apiKey: 'k', baseUrl: BASE_URL } };
