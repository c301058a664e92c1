import type { INodeParameters } from 'n8n-workflow';

import { ChatbotLeads } from '../nodes/ChatbotLeads/ChatbotLeads.node';
import { ChatbotLeadsTrigger } from '../nodes/ChatbotLeadsTrigger/ChatbotLeadsTrigger.node';
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
	test.each([new ChatbotLeads(), new ChatbotLeadsTrigger()])('%# offers every provider and asks only for its credential', (node) => {
		const provider = node.description.properties.find((p) => p.name === 'provider');
		expect(provider?.options?.map((o) => ('value' in o ? o.value : undefined))).toEqual(['chatbase', 'chatzuri', 'chatofAi', 'robofy']);
		expect(node.description.credentials?.map((c) => [c.name, c.displayOptions?.show?.provider])).toEqual([
			['chatbaseApi', ['chatbase']],
			['chatzuriApi', ['chatzuri']],
			['chatofAiApi', ['chatofAi']],
			['robofyApi', ['robofy']],
		]);
	});

	test('the chatbot locator defaults to From list and keeps By ID', () => {
		const chatbot = new ChatbotLeads().description.properties.find((p) => p.name === 'chatbotId');
		expect(chatbot?.default).toEqual({ mode: 'list', value: '' });
		expect(chatbot?.modes?.map((m) => m.name)).toEqual(['list', 'id']);
	});
});
