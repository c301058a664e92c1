/**
 * Issue 23, item 5: a page or token saved by one poll that the vendor no longer takes (Robofy page
 * tokens that expire between polls) gives way to a scan from the start of the window, in the
 * same poll, with every lead still emitted exactly once. Through n8n-core's real PollContext.
 */
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { ChatbotLeadsTrigger } from '../nodes/ChatbotLeadsTrigger/ChatbotLeadsTrigger.node';
import { ALL_CREDENTIALS, FIXTURES, type VendorFixture } from './fixtures';
import { pollNode } from './harness/n8n';
import { captureWarnings, credentialsFor, FAST_RETRIES, leadRequests, useHostClock, useSimulator } from './helpers';

const sim = useSimulator();
const clock = useHostClock();
const MIN = 60_000;
const HOUR = 60 * MIN;
const robofy = FIXTURES.find((fixture) => fixture.vendor === 'robofy') as VendorFixture;
const names = (items: INodeExecutionData[]) => items.map((item) => String(item.json.name));
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

/** A trigger whose static data carries over from poll to poll, as n8n persists it. */
function trigger(fixture: VendorFixture, options: IDataObject = {}) {
	let staticData: IDataObject = {};
	return async (pollBudgetMs?: number) => {
		const result = await pollNode({
			nodeType: new ChatbotLeadsTrigger(),
			credentialTypes: ALL_CREDENTIALS,
			parameters: { ...fixture.parameters, options: { ...FAST_RETRIES, ...options } } as INodeParameters,
			credentials: credentialsFor(sim, fixture),
			staticData,
			pollBudgetMs,
		});
		staticData = result.staticData;
		return result.items?.[0] ?? [];
	};
}

function addLeads(prefix: string, count: number, spanMs: number): string[] {
	const leads = Array.from({ length: count }, (_, i) => ({ name: `${prefix}-${i}`, createdAt: ago(spanMs - (i * spanMs) / count) }));
	sim.addLeads('robofy', robofy.chatbotId, leads, { projectId: robofy.projectId });
	return leads.map((lead) => lead.name);
}

/** Lead requests since `from` that carried a page token, with the status the simulator answered. */
function tokenRequests(from: number) {
	return leadRequests(sim, robofy)
		.slice(from)
		.filter((request) => request.query.nextPageToken)
		.map((request) => request.status);
}

describe('Robofy page tokens that expire between polls', () => {
	beforeEach(() => {
		sim.addChatbot('robofy', robofy.chatbotId, { projectId: robofy.projectId });
		sim.setOptions('robofy', { tokenTtlSeconds: 60 });
	});

	test('oldest-first order: the poll that finds its resume token expired reads from the first page; every new lead once, no poll fails', async () => {
		const warnings = captureWarnings();
		sim.setOptions('robofy', { order: 'asc' });
		addLeads('old', 100, 50 * HOUR);
		const poll = trigger(robofy);
		expect(await poll()).toHaveLength(0);
		const emitted: string[] = [];
		const created: string[] = [];
		for (let round = 0; round < 5; round++) {
			clock.advance(10 * MIN);
			created.push(...addLeads(`new${round}`, 5, 5 * MIN));
			const before = leadRequests(sim, robofy).length;
			emitted.push(...names(await poll()));
			// From the second poll on, the token saved by the poll before is tried, refused as expired, and the scan goes on from page 1.
			if (round > 0) expect(tokenRequests(before)[0]).toBe(400);
		}
		expect(emitted).toEqual(created);
		expect(warnings.filter((line) => /refused the page saved/.test(line))).toHaveLength(4);
		expect(emitted).toHaveLength(25);
		expect(warnings.join('\n')).toContain('nextPageToken has expired');
	});

	test('a backlog cut by the poll budget goes on after its token expired: all 300 leads once', async () => {
		const warnings = captureWarnings();
		const poll = trigger(robofy);
		expect(await poll()).toHaveLength(0);
		clock.advance(HOUR);
		const created = addLeads('backlog', 300, HOUR - MIN);
		sim.setOptions('robofy', { latencyMs: 100 });
		const first = names(await poll(1500));
		expect(first.length).toBeGreaterThan(0);
		expect(first.length).toBeLessThan(300);
		sim.setOptions('robofy', { latencyMs: 0 });
		clock.advance(5 * MIN);
		const second = names(await poll());
		const third = names(await poll());
		expect([...first, ...second].sort()).toEqual([...created].sort());
		expect(new Set([...first, ...second]).size).toBe(300);
		expect(third).toHaveLength(0);
		expect(warnings.some((line) => /refused the page saved/.test(line))).toBe(true);
	});

	test('a backlog the poll budget cuts again after every restart: the poll says older leads are out of reach', async () => {
		const warnings = captureWarnings();
		const poll = trigger(robofy);
		await poll();
		clock.advance(HOUR);
		addLeads('backlog', 300, HOUR - MIN);
		sim.setOptions('robofy', { latencyMs: 100 });
		await poll(1500);
		expect(warnings.some((line) => /out of reach/.test(line))).toBe(false);
		clock.advance(5 * MIN);
		await poll(1500);
		expect(warnings.filter((line) => /out of reach/.test(line))).toHaveLength(1);
	});

	test('a 401 at the saved position is not a position problem: the poll fails after one request, and nothing is lost', async () => {
		sim.setOptions('robofy', { order: 'asc' });
		addLeads('old', 100, 50 * HOUR);
		const poll = trigger(robofy);
		await poll();
		clock.advance(30 * 1000);
		const created = addLeads('new', 3, 10 * 1000);
		sim.injectFault('robofy', { kind: 'status', status: 401 });
		const before = leadRequests(sim, robofy).length;
		await expect(poll()).rejects.toThrow();
		expect(leadRequests(sim, robofy).length - before).toBe(1);
		expect(names(await poll())).toEqual(created);
	});
});
