import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { INodeParameters } from 'n8n-workflow';

import { ChatbotLeads } from '../nodes/ChatbotLeads/ChatbotLeads.node';
import { ChatbotLeadsInstantTrigger } from '../nodes/ChatbotLeadsInstantTrigger/ChatbotLeadsInstantTrigger.node';
import { ChatbotLeadsTrigger } from '../nodes/ChatbotLeadsTrigger/ChatbotLeadsTrigger.node';
import { PROVIDERS, WEBHOOK_PROVIDERS } from '../nodes/shared/vendors';
import { ALL_CREDENTIALS } from './fixtures';
import { resolveNodeExpression } from './harness/n8n';

const subtitleOf = async (nodeType: ChatbotLeads | ChatbotLeadsTrigger, parameters: INodeParameters) =>
	await resolveNodeExpression({ nodeType, credentialTypes: ALL_CREDENTIALS, parameters }, String(nodeType.description.subtitle));

describe('node subtitles on the canvas', () => {
	test('show the vendor and the picked chatbot by name', async () => {
		const parameters = {
			provider: 'chatofAi',
			chatbotId: { __rl: true, mode: 'list', value: 'bot-1', cachedResultName: 'Sales bot' },
		};
		expect(await subtitleOf(new ChatbotLeads(), parameters)).toMatch(/^Chatof\.ai: (Sales bot|bot-1)$/);
		expect(await subtitleOf(new ChatbotLeadsTrigger(), parameters)).toMatch(/^New lead: Chatof\.ai: (Sales bot|bot-1)$/);
	});

	test('show the ID when it was typed in', async () => {
		const parameters = { provider: 'robofy', chatbotId: { __rl: true, mode: 'id', value: 'agent-7' } };
		expect(await subtitleOf(new ChatbotLeads(), parameters)).toBe('Robofy: agent-7');
	});
});

describe('descriptions', () => {
	// Every adapter: the four built-ins, then any test-only vendor (test/vendors/) registered before the nodes loaded.
	test.each([new ChatbotLeads(), new ChatbotLeadsTrigger()])('%# offers every provider and asks only for its credential', (node) => {
		const provider = node.description.properties.find((p) => p.name === 'provider');
		const values = provider?.options?.map((o) => ('value' in o ? o.value : undefined));
		expect(values?.slice(0, 4)).toEqual(['chatbase', 'chatzuri', 'chatofAi', 'robofy']);
		expect(values).toEqual(PROVIDERS.map((p) => p.name));
		expect(node.description.credentials?.map((c) => [c.name, c.displayOptions?.show?.provider])).toEqual(
			PROVIDERS.map((p) => [p.credentialType, [p.name]]),
		);
	});

	test('the chatbot locator defaults to From list and keeps By ID', () => {
		const chatbot = new ChatbotLeads().description.properties.find((p) => p.name === 'chatbotId');
		expect(chatbot?.default).toEqual({ mode: 'list', value: '' });
		expect(chatbot?.modes?.map((m) => m.name)).toEqual(['list', 'id']);
	});
});

describe('Chatbot Leads Instant Trigger description', () => {
	const instant = new ChatbotLeadsInstantTrigger();
	const { description } = instant;
	const property = (name: string) => description.properties.find((p) => p.name === name);

	test('is a webhook trigger with one POST webhook at path "webhook", answered once the execution starts', () => {
		expect(description.name).toBe('chatbotLeadsInstantTrigger');
		expect(description.displayName).toBe('Chatbot Leads Instant Trigger');
		expect(description.group).toEqual(['trigger']);
		expect(description.inputs).toEqual([]);
		expect(description.polling).toBeUndefined();
		expect(description.webhooks).toEqual([{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', responseData: '', path: 'webhook' }]);
		expect(Object.keys(instant.webhookMethods.default)).toEqual(['checkExists', 'create', 'delete']);
	});

	test('offers only the vendors with lead webhooks, each with its own credential', () => {
		const values = property('provider')?.options?.map((o) => ('value' in o ? o.value : undefined));
		expect(values?.slice(0, 2)).toEqual(['chatbase', 'chatzuri']);
		expect(values).toEqual(WEBHOOK_PROVIDERS.map((p) => p.name));
		expect(description.credentials?.map((c) => [c.name, c.displayOptions?.show, c.required, c.testedBy])).toEqual([
			['chatbotLeadsWebhookApi', { authentication: ['webhookSecret'] }, true, 'webhookSecretCheck'],
			...WEBHOOK_PROVIDERS.map((p) => [p.credentialType, { provider: [p.name], authentication: ['apiCredential'] }, true, undefined]),
		]);
		// Workflows saved before Authentication existed keep their vendor credential.
		expect(property('authentication')?.default).toBe('apiCredential');
	});

	test('its notice says where the URL goes, that without a secret anyone with the URL can send leads, and what Chatof.ai and Robofy users use', () => {
		const notice = String(property('notice')?.displayName);
		expect(notice).toMatch(/Production URL/);
		expect(notice).toMatch(/Without a Webhook Signing Secret .* anyone who knows the URL can send leads/);
		// "Chatof.ai and Robofy", or with test-only vendors "Chatof.ai, Robofy and …".
		const noWebhooks = PROVIDERS.filter((p) => !p.webhook).map((p) => p.displayName);
		const named = `${noWebhooks.slice(0, -1).join(', ')} and ${noWebhooks[noWebhooks.length - 1]}`;
		expect(noWebhooks.slice(0, 2)).toEqual(['Chatof.ai', 'Robofy']);
		expect(notice).toContain(`${named} send no lead webhooks: use the Chatbot Leads Trigger`);
		expect(property('chatbaseWebhookSetup')?.displayOptions?.show?.provider).toEqual(['chatbase']);
		expect(String(property('chatbaseWebhookSetup')?.displayName)).toMatch(/leads\.submit/);
		expect(String(property('chatzuriWebhookSetup')?.displayName)).toMatch(/Settings > Webhooks.*lead\.submit/);
	});

	test('the chatbot is optional: empty accepts every chatbot of the account', () => {
		const chatbot = property('chatbotId');
		expect(chatbot?.required).toBe(false);
		expect(chatbot?.description).toMatch(/Leave empty to accept every chatbot/);
	});

	test('the subtitle names the vendor and the chatbot, or every chatbot', async () => {
		const subtitle = String(description.subtitle);
		const resolve = (parameters: INodeParameters) => resolveNodeExpression({ nodeType: instant, credentialTypes: ALL_CREDENTIALS, parameters }, subtitle);
		expect(await resolve({ provider: 'chatzuri', chatbotId: { __rl: true, mode: 'id', value: 'agt_1' } })).toBe('Instant: Chatzuri: agt_1');
		expect(await resolve({ provider: 'chatbase', chatbotId: { __rl: true, mode: 'id', value: '' } })).toBe('Instant: Chatbase: every chatbot');
	});

	test.each(['chatbaseApi', 'chatzuriApi'])('the %s credential has an optional Webhook Signing Secret (password)', (name) => {
		const credential = ALL_CREDENTIALS.find((c) => c.name === name);
		const secret = credential?.properties.find((p) => p.name === 'webhookSecret');
		expect(secret).toMatchObject({ displayName: 'Webhook Signing Secret', type: 'string', default: '', typeOptions: { password: true } });
		expect(secret?.required).toBeUndefined();
	});

	test('the instant-lead-to-Slack example uses only parameters the node has, and starts the Slack node', () => {
		const example = JSON.parse(readFileSync(join(__dirname, '..', 'examples', 'instant-lead-to-slack.json'), 'utf8'));
		const node = example.nodes.find((n: { type: string }) => n.type === 'n8n-nodes-chatbot-leads.chatbotLeadsInstantTrigger');
		expect(Object.keys(node.parameters).filter((name) => !property(name))).toEqual([]);
		expect(node.parameters.provider).toBe('chatbase');
		expect(Object.keys(node.credentials)).toEqual(['chatbaseApi']);
		expect(node.webhookId).toMatch(/^[0-9a-f-]{36}$/);
		expect(example.connections[node.name].main[0][0].node).toBe('Post lead to Slack');
	});

	test.each(['chatofAiApi', 'robofyApi'])('the %s credential has no webhook secret (no webhooks)', (name) => {
		expect(ALL_CREDENTIALS.find((c) => c.name === name)?.properties.map((p) => p.name)).toEqual(['apiKey', 'baseUrl']);
	});
});
