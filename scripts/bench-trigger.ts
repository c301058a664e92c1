/**
 * Requests the Chatbot Leads Trigger makes per poll, per vendor and server order, with 0, 1 and 500
 * new leads on top of 10,000 existing ones. Prints figures; asserts nothing (not a test).
 * `npm run bench:trigger`
 */
import type { IDataObject } from 'n8n-workflow';

import { ChatbotLeadsTrigger } from '../nodes/ChatbotLeadsTrigger/ChatbotLeadsTrigger.node';
import { ALL_CREDENTIALS, FIXTURES } from '../test/fixtures';
import { pollNode } from '../test/harness/n8n';
import type { Order } from '../test/simulator';
import { startLocalSimulator } from './simulator';

const EXISTING = 10_000;
const ORDERS: Order[] = ['desc', 'asc', 'random'];
const out = (line: string) => process.stdout.write(`${line}\n`);

async function main() {
	const sim = await startLocalSimulator();
	out(`Requests per trigger poll, ${EXISTING} existing leads (one a minute), look-back window 60 min, default page sizes`);
	out('vendor     order   activation  0 new  1 new  500 new  emitted(1/500)');
	try {
		for (const fixture of FIXTURES) {
			for (const order of ORDERS) {
				sim.reset();
				sim.setOptions(fixture.vendor, { order } as never);
				const now = Date.now();
				sim.generateLeads(fixture.vendor, fixture.chatbotId, EXISTING, {
					start: new Date(now - EXISTING * 60_000 - 120_000),
					stepMs: 60_000,
					projectId: fixture.projectId,
				});
				let staticData: IDataObject = {};
				const poll = async () => {
					sim.clearRequests();
					const result = await pollNode({
						nodeType: new ChatbotLeadsTrigger(),
						credentialTypes: ALL_CREDENTIALS,
						parameters: fixture.parameters,
						credentials: { [fixture.credentialType]: { apiKey: sim.keys[fixture.vendor], baseUrl: sim.baseUrls[fixture.vendor] } },
						staticData,
					});
					staticData = result.staticData;
					return { requests: sim.requestCount(fixture.vendor), emitted: result.items?.[0]?.length ?? 0 };
				};
				const activation = await poll();
				const idle = await poll();
				sim.addLeads(fixture.vendor, fixture.chatbotId, [{ name: 'one new' }], { projectId: fixture.projectId });
				const one = await poll();
				sim.generateLeads(fixture.vendor, fixture.chatbotId, 500, { start: new Date(Date.now() - 50_000), stepMs: 100, projectId: fixture.projectId });
				const burst = await poll();
				out(
					`${fixture.vendor.padEnd(10)} ${order.padEnd(7)} ${String(activation.requests).padStart(10)} ${String(idle.requests).padStart(6)} ` +
						`${String(one.requests).padStart(6)} ${String(burst.requests).padStart(8)}  ${one.emitted}/${burst.emitted}`,
				);
			}
		}
	} finally {
		await sim.stop();
	}
}

main().catch((error: unknown) => {
	process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
	process.exitCode = 1;
});
