import type { Icon, ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * For the Chatbot Leads Instant Trigger alone: the webhook signing secret, without the API key the
 * vendor credentials require. For teams that only want the webhook, or whose plan has no API.
 */
export class ChatbotLeadsWebhookApi implements ICredentialType {
	name = 'chatbotLeadsWebhookApi';

	displayName = 'Chatbot Leads Webhook API';

	icon: Icon = { light: 'file:../icons/chatbotLeads.svg', dark: 'file:../icons/chatbotLeads.dark.svg' };

	documentationUrl = 'https://github.com/chatbot-leads/n8n-nodes-chatbot-leads/blob/main/docs/instant-trigger.md#set-it-up';

	properties: INodeProperties[] = [
		{
			displayName:
				'Only for the Chatbot Leads Instant Trigger with Authentication: Webhook Secret Only. No API key is needed or sent: nothing here can be tested against the vendor, so a wrong secret shows up as HTTP 401 in the vendor\'s webhook delivery log.',
			name: 'notice',
			type: 'notice',
			default: '',
		},
		{
			displayName: 'Webhook Signing Secret',
			name: 'webhookSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				"The signing secret set in your vendor's webhook settings. When set, requests without a valid signature are refused (HTTP 401). When empty, anyone who knows the webhook URL can send leads.",
		},
	];
}
