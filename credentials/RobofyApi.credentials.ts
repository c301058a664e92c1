import type {
	IAuthenticateGeneric,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

export class RobofyApi implements ICredentialType {
	name = 'robofyApi';

	displayName = 'Robofy API';

	icon: Icon = { light: 'file:../icons/chatbotLeads.svg', dark: 'file:../icons/chatbotLeads.dark.svg' };

	documentationUrl = 'https://docs.robofy.ai';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'Your Robofy API key (Robofy dashboard: Settings > API Keys)',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://agents.robofy.ai/v1',
			description: 'Change only to go through a proxy or a test server; every request path is appended to it',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '=Bearer {{$credentials.apiKey}}',
			},
		},
	};

	// A cheap authenticated call, so "Test" goes green only for a working key.
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}',
			url: '/projects',
			method: 'GET',
		},
	};
}
