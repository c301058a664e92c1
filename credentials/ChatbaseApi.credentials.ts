import type {
	IAuthenticateGeneric,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

export class ChatbaseApi implements ICredentialType {
	name = 'chatbaseApi';

	displayName = 'Chatbase API';

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
			description: 'Your Chatbase API key (Chatbase dashboard: Workspace Settings > API Keys)',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://www.chatbase.co/api/v1',
			description: 'Change only to go through a proxy or a test server; every request path is appended to it',
		},
		{
			displayName: 'Webhook Signing Secret',
			name: 'webhookSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				"Only for the Chatbot Leads Instant Trigger: Chatbase does not document which secret it signs with: use the one your Chatbase webhook settings show. When set, requests without a valid signature are refused (HTTP 401). When empty, anyone who knows the webhook URL can send leads.",
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
			url: '/get-chatbots',
			method: 'GET',
		},
		rules: [
			{
				type: 'responseCode',
				properties: { value: 401, message: 'Chatbase rejected this API key. Copy it again from your Chatbase dashboard, and check it is a Chatbase key.' },
			},
			{
				type: 'responseCode',
				properties: { value: 403, message: 'Chatbase accepted the key but refused access. Check the key belongs to the account that owns your chatbots.' },
			},
			{
				type: 'responseCode',
				properties: { value: 404, message: 'No Chatbase API answered at this Base URL. Set it back to https://www.chatbase.co/api/v1 unless you use a proxy.' },
			},
		],
	};
}
