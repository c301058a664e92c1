import type { INodeListSearchResult, INodeParameters } from 'n8n-workflow';

import { ChatbotLeads } from '../nodes/ChatbotLeads/ChatbotLeads.node';
import { ChatbotLeadsTrigger } from '../nodes/ChatbotLeadsTrigger/ChatbotLeadsTrigger.node';
import { ALL_CREDENTIALS, FIXTURES, type VendorFixture } from './fixtures';
import { credentialsFor, useSimulator } from './helpers';
import { loadOptions } from './harness/n8n';

const sim = useSimulator();

const fixture = (vendor: string) => FIXTURES.find((f) => f.vendor === vendor) as VendorFixture;

async function search(f: VendorFixture, method: string, parameters: INodeParameters = {}, filter?: string, apiKey?: string) {
	return (await loadOptions({
		nodeType: new ChatbotLeads(),
		credentialTypes: ALL_CREDENTIALS,
		parameters: { ...f.parameters, ...parameters },
		credentials: credentialsFor(sim, f, apiKey),
		method,
		filter,
	})) as INodeListSearchResult;
}

describe('chatbot pickers', () => {
	test.each(['chatbase', 'chatzuri'])('%s lists its chatbots, searchable by name or id', async (vendor) => {
		const f = fixture(vendor);
		sim.addChatbot(f.vendor, 'bot-sales', { name: 'Sales assistant' });
		sim.addChatbot(f.vendor, 'bot-support', { name: 'Support bot' });
		const all = await search(f, 'searchChatbots');
		expect(all.results).toEqual(
			expect.arrayContaining([
				{ name: 'Sales assistant (bot-sales)', value: 'bot-sales' },
				{ name: 'Support bot (bot-support)', value: 'bot-support' },
			]),
		);
		const filtered = await search(f, 'searchChatbots', {}, 'support');
		expect(filtered.results.map((r) => r.value)).toEqual(['bot-support']);
	});

	test('Robofy lists projects, then the agents of the chosen project', async () => {
		const f = fixture('robofy');
		sim.addChatbot('robofy', 'agent-a', { name: 'Agent A', projectId: 7 });
		sim.addChatbot('robofy', 'agent-b', { name: 'Agent B', projectId: 8 });
		const projects = await search(f, 'searchProjects');
		expect(projects.results.map((r) => r.value)).toEqual(expect.arrayContaining(['7', '8']));
		const agents = await search(f, 'searchChatbots', { projectId: { __rl: true, mode: 'list', value: '8' } });
		expect(agents.results.map((r) => r.value)).toEqual(['agent-b']);
	});

	test('Robofy asks for the project before listing agents', async () => {
		const f = fixture('robofy');
		await expect(search(f, 'searchChatbots', { projectId: { __rl: true, mode: 'list', value: '' } })).rejects.toThrow(
			/Pick the Robofy project first/,
		);
	});

	test('Chatof.ai, which has no list, says to use By ID', async () => {
		await expect(search(fixture('chatofAi'), 'searchChatbots')).rejects.toThrow(/no API that lists chatbots.*By ID/);
	});

	test('a list that fails shows a readable message, not an empty dropdown', async () => {
		const f = fixture('chatbase');
		sim.injectFault('chatbase', { kind: 'status', status: 500, times: Infinity });
		await expect(search(f, 'searchChatbots')).rejects.toThrow(/Could not load the Chatbase chatbots: .*HTTP 500.*By ID/);
	});

	test('a rejected key while listing says to fix the credential', async () => {
		await expect(search(fixture('chatzuri'), 'searchChatbots', {}, undefined, 'bad-key')).rejects.toThrow(
			/Could not load the Chatzuri agents: Chatzuri rejected the API key \(HTTP 401\)/,
		);
	});

	test('the trigger exposes the same pickers', async () => {
		const f = fixture('chatbase');
		sim.addChatbot('chatbase', 'bot-x', { name: 'X' });
		const result = (await loadOptions({
			nodeType: new ChatbotLeadsTrigger(),
			credentialTypes: ALL_CREDENTIALS,
			parameters: f.parameters,
			credentials: credentialsFor(sim, f),
			method: 'searchChatbots',
		})) as INodeListSearchResult;
		expect(result.results.map((r) => r.value)).toContain('bot-x');
	});
});
