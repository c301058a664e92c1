import type { IAuthenticateGeneric, ICredentialTestRequest, ICredentialType, INodeProperties } from 'n8n-workflow';

/** The Acme Bots credential: a key sent as a bearer token, and the API's base URL. */
export class AcmeApi implements ICredentialType {
	name = 'acmeApi';

	displayName = 'Acme Bots API';

	documentationUrl = 'https://acme.example.com/docs/api';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'Your Acme Bots API key (Acme dashboard: Settings > API)',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.acme.example.com/v2',
			description: 'Change only to go through a proxy or a test server; every request path is appended to it',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: { headers: { Authorization: '=Bearer {{$credentials.apiKey.trim()}}' } },
	};

	test: ICredentialTestRequest = {
		request: { baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}', url: '/bots', method: 'GET' },
		rules: [
			{
				type: 'responseCode',
				properties: { value: 401, message: 'Acme Bots rejected this API key. Copy it again from your Acme Bots dashboard, and check it is a Acme Bots key.' },
			},
			{
				type: 'responseCode',
				properties: { value: 404, message: 'No Acme Bots API answered at this Base URL. Set it back to https://api.acme.example.com/v2 unless you use a proxy.' },
			},
		],
	};
}
