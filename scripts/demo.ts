/**
 * Quick-start demo: the Chatbot Leads node and trigger, run by n8n-core's real engine against the
 * bundled vendor simulator (no vendor account needed). `npm start` builds and runs it.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { ChatbotLeads } from '../nodes/ChatbotLeads/ChatbotLeads.node';
import { ChatbotLeadsTrigger } from '../nodes/ChatbotLeadsTrigger/ChatbotLeadsTrigger.node';
import { ALL_CREDENTIALS, FIXTURES } from '../test/fixtures';
import { executeNode, pollNode } from '../test/harness/n8n';
import { startLocalSimulator } from './simulator';

const out = (line = '') => process.stdout.write(`${line}\n`);

function table(items: INodeExecutionData[], limit: number): void {
	for (const { json } of items.slice(0, limit)) {
		const lead = json as IDataObject;
		out(`  ${String(lead.createdAt).padEnd(25)} ${String(lead.name).padEnd(18)} ${String(lead.email).padEnd(28)} ${String(lead.id)}`);
	}
	if (items.length > limit) out(`  ... and ${items.length - limit} more`);
}

async function main() {
	const sim = await startLocalSimulator();
	const seed = sim.seed();
	try {
		for (const fixture of FIXTURES) {
			const chatbotId = seed[fixture.vendor].chatbotId;
			const parameters = {
				...fixture.parameters,
				chatbotId: { __rl: true, mode: 'id', value: chatbotId },
				returnAll: true,
			};
			const credentials = { [fixture.credentialType]: { apiKey: sim.keys[fixture.vendor], baseUrl: sim.baseUrls[fixture.vendor] } };
			const [items] = await executeNode({ nodeType: new ChatbotLeads(), credentialTypes: ALL_CREDENTIALS, parameters, credentials });
			out(`\nChatbot Leads — ${fixture.displayName}, chatbot ${chatbotId}: ${items.length} leads (Return All)`);
			table(items, 3);

			const poll = async (staticData: IDataObject) =>
				await pollNode({ nodeType: new ChatbotLeadsTrigger(), credentialTypes: ALL_CREDENTIALS, parameters, credentials, staticData });
			const first = await poll({});
			sim.addLeads(fixture.vendor, chatbotId, [{ name: 'New Lead A', email: 'a@example.com' }, { name: 'New Lead B', email: 'b@example.com' }], {
				projectId: fixture.projectId,
			});
			const second = await poll(first.staticData);
			const third = await poll(second.staticData);
			out(
				`Chatbot Leads Trigger — first poll: ${first.items?.[0]?.length ?? 0} emitted; two leads arrive; ` +
					`next poll: ${second.items?.[0]?.length ?? 0} emitted; poll after: ${third.items?.[0]?.length ?? 0} emitted`,
			);
			table(second.items?.[0] ?? [], 2);
		}
	} finally {
		await sim.stop();
	}
}

main().catch((error: unknown) => {
	process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
	process.exitCode = 1;
});
