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

	documentationUrl = 'https://github.com/chatbot-leads/n8n-nodes-chatbot-leads#credentials';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'Your Robofy API key, from your Robofy dashboard',
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
				// Trimmed: a key pasted with a space or a line break around it still works.
				Authorization: '=Bearer {{$credentials.apiKey.trim()}}',
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
		rules: [
			{
				type: 'responseCode',
				properties: { value: 401, message: 'Robofy rejected this API key. Copy it again from your Robofy dashboard, and check it is a Robofy key.' },
			},
			{
				type: 'responseCode',
				properties: { value: 403, message: 'Robofy accepted the key but refused access. Check the key belongs to the account that owns your chatbots.' },
			},
			{
				type: 'responseCode',
				properties: { value: 404, message: 'No Robofy API answered at this Base URL. Set it back to https://agents.robofy.ai/v1 unless you use a proxy.' },
			},
		],
	};
}
