import type {
	IAuthenticateGeneric,
	IAuthenticateRuleResponseCode,
	IAuthenticateRuleResponseSuccessBody,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

export class ChatofAiApi implements ICredentialType {
	name = 'chatofAiApi';

	displayName = 'Chatof.ai API';

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
			description: 'Your Chatof.ai API key, from your Chatof.ai dashboard',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://chatof.ai/api/v1/backend',
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

	// Chatof.ai has no endpoint meant for this. Asking for the leads of a bot that cannot exist
	// checks the key alone: a wrong key is refused (401) before the bot is looked up.
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}',
			url: '/chatbot/credential-test/leads',
			method: 'GET',
			qs: { page: 1, page_size: 1 },
		},
		// n8n's credential tester reads both kinds of rule from one list (status codes on a failed
		// request, body rules on a successful one); the type allows only one kind per list.
		rules: [
			{
				type: 'responseCode',
				properties: { value: 401, message: 'Chatof.ai rejected this API key. Copy it again from your Chatof.ai dashboard, and check it is a Chatof.ai key.' },
			},
			{
				type: 'responseCode',
				properties: { value: 403, message: 'Chatof.ai accepted the key but refused access. Check the key belongs to the account that owns your chatbots.' },
			},
			{
				type: 'responseCode',
				properties: { value: 404, message: 'No Chatof.ai API answered at this Base URL. Set it back to https://chatof.ai/api/v1/backend unless you use a proxy.' },
			},
			// Chatof.ai also reports failures as HTTP 200 with a non-zero `code`. For a valid key the
			// bot that cannot exist gives "bot not found" (another code), so only auth codes fail here.
			{
				type: 'responseSuccessBody',
				properties: { key: 'code', value: 401, message: 'Chatof.ai rejected this API key. Copy it again from your Chatof.ai dashboard, and check it is a Chatof.ai key.' },
			},
			{
				type: 'responseSuccessBody',
				properties: { key: 'code', value: 403, message: 'Chatof.ai accepted the key but refused access. Check the key belongs to the account that owns your chatbots.' },
			},
		] as Array<IAuthenticateRuleResponseCode | IAuthenticateRuleResponseSuccessBody> as ICredentialTestRequest['rules'],
	};
}
