/**
 * n8n saves a trigger's static data when the workflow is activated and when a poll emits; a poll
 * that emits nothing keeps its changes only in memory. createPollSession models exactly that, so
 * these runs check the trigger against real save timing and restarts, not an idealized store.
 */
import { ChatbotLeadsTrigger } from '../nodes/ChatbotLeadsTrigger/ChatbotLeadsTrigger.node';
import { ALL_CREDENTIALS, FIXTURES, type VendorFixture } from './fixtures';
import { credentialsFor, FAST_RETRIES, useSimulator } from './helpers';
import { createPollSession, pollNode } from './harness/n8n';

const sim = useSimulator();

const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

describe.each(FIXTURES.map((fixture) => [fixture.displayName, fixture] as [string, VendorFixture]))('%s with n8n save timing', (_name, fixture) => {
	test('restarts between polls, after polls that emitted nothing, lose and repeat nothing', async () => {
		const options = { nodeType: new ChatbotLeadsTrigger(), credentialTypes: ALL_CREDENTIALS, credentials: credentialsFor(sim, fixture) };
		const parameters = { ...fixture.parameters, options: FAST_RETRIES };
		sim.generateLeads(fixture.vendor, fixture.chatbotId, 15, { start: ago(3 * 3600_000), stepMs: 600_000, projectId: fixture.projectId });
		// Activation: n8n runs the first poll and then saves static data.
		const activation = await pollNode({ ...options, parameters, staticData: {} });
		const session = createPollSession({ ...options, parameters, staticData: activation.staticData });
		const emitted: string[] = [];
		const arrived: string[] = [];
		const add = (name: string, createdAt: string) => {
			sim.addLeads(fixture.vendor, fixture.chatbotId, [{ name, createdAt }], { projectId: fixture.projectId });
			arrived.push(name);
		};
		const poll = async () => {
			const result = await session.poll();
			emitted.push(...(result.items?.[0] ?? []).map((item) => String(item.json.name)));
			return result;
		};
		expect((await poll()).items).toBeNull();
		add('a', ago(60_000));
		await poll();
		expect((await poll()).persisted).toBe(false);
		session.restart();
		const tie = ago(30_000);
		add('b', tie);
		add('c', tie);
		await poll();
		await poll();
		session.restart();
		add('late', ago(25 * 60_000));
		session.restart();
		await poll();
		expect((await poll()).items).toBeNull();
		expect(emitted.sort()).toEqual(arrived.sort());
	});
});
