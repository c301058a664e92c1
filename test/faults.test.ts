/**
 * Fault injection: every scenario, for every vendor, through the node and the trigger. Each must
 * end in its specified outcome; a failing trigger poll must emit nothing and keep its cursor; and
 * the API key must appear nowhere in what a user or a log could see.
 */
import type { IDataObject } from 'n8n-workflow';

import { FIXTURES, type VendorFixture } from './fixtures';
import { generate, leadRequests, pollTrigger, runLeads, runLeadsError, useSimulator } from './helpers';
import type { Fault } from './simulator';

const sim = useSimulator();
// Read-ahead requests of a run that failed may still be arriving: let them finish before the next test.
afterEach(async () => {
	for (let waited = 0; waited < 2000 && (waited < 50 || sim.inFlight > 0); waited += 10) {
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
});

interface Scenario {
	name: string;
	fault: (fixture: VendorFixture) => Fault;
	/** Extra node options for the scenario (short timeouts, a page cap). */
	options?: IDataObject;
	/** The run succeeds with every lead (the fault was retried away), or fails with this message. */
	outcome: 'recovers' | RegExp;
	/** Requests the node may make at most (bounded retries, no loops). */
	maxRequests: number;
	/** A server page cap, for scenarios that need several pages. */
	cap?: number;
}

const persistent = { times: Infinity };
const SCENARIOS: Scenario[] = [
	{
		name: '429 with Retry-After (seconds), once',
		fault: () => ({ kind: 'status', status: 429, headers: { 'Retry-After': '1' } }),
		outcome: 'recovers',
		maxRequests: 4,
	},
	{
		name: '429 with Retry-After as an HTTP date, once',
		fault: () => ({ kind: 'status', status: 429, headers: { 'Retry-After': new Date(Date.now() + 1000).toUTCString() } }),
		outcome: 'recovers',
		maxRequests: 4,
	},
	{
		name: '429 with X-RateLimit-Reset, once',
		fault: () => ({ kind: 'status', status: 429, headers: { 'X-RateLimit-Reset': '1' } }),
		outcome: 'recovers',
		maxRequests: 4,
	},
	{
		name: '429 without Retry-After, persistently',
		fault: () => ({ kind: 'status', status: 429, ...persistent }),
		outcome: /Rate limited by .+ after 3 attempts\. Lower the poll frequency or try again later\./,
		maxRequests: 3,
	},
	{
		name: '429 asking to wait longer than Max Retry Wait',
		fault: () => ({ kind: 'status', status: 429, headers: { 'Retry-After': '3600' }, ...persistent }),
		outcome: /Rate limited by/,
		maxRequests: 1,
	},
	{ name: '500 once', fault: () => ({ kind: 'status', status: 500 }), outcome: 'recovers', maxRequests: 4 },
	{
		name: '500 persistently',
		fault: () => ({ kind: 'status', status: 500, ...persistent }),
		outcome: /server error \(HTTP 500\) after 3 attempts/,
		maxRequests: 3,
	},
	{
		name: '502 HTML page from a proxy, persistently',
		fault: () => ({ kind: 'html', status: 502, ...persistent }),
		outcome: /server error \(HTTP 502\)/,
		maxRequests: 3,
	},
	{
		name: 'HTML page with status 200',
		fault: () => ({ kind: 'html', status: 200, ...persistent }),
		outcome: /sent an HTML page instead of JSON/,
		maxRequests: 1,
	},
	{
		name: 'a server that never answers',
		fault: () => ({ kind: 'hang', ...persistent }),
		options: { timeoutSeconds: 1, maxRetries: 1 },
		outcome: /did not answer within 1 s \(tried 2 times\)/,
		maxRequests: 2,
	},
	{ name: 'hangs once', fault: () => ({ kind: 'hang' }), options: { timeoutSeconds: 1 }, outcome: 'recovers', maxRequests: 4 },
	{
		name: 'malformed JSON',
		fault: () => ({ kind: 'malformed', ...persistent }),
		outcome: /not valid JSON/,
		maxRequests: 1,
	},
	{
		name: 'truncated body, persistently',
		fault: () => ({ kind: 'truncated', ...persistent }),
		outcome: /closed the connection before its answer was complete \(tried 3 times\)/,
		maxRequests: 3,
	},
	{ name: 'truncated body once', fault: () => ({ kind: 'truncated' }), outcome: 'recovers', maxRequests: 4 },
	{ name: 'connection reset once', fault: () => ({ kind: 'reset' }), outcome: 'recovers', maxRequests: 4 },
	{ name: 'empty body', fault: () => ({ kind: 'empty', ...persistent }), outcome: /sent an empty response/, maxRequests: 1 },
	{
		name: 'repeated page or token',
		fault: (fixture) => ({ kind: fixture.vendor === 'robofy' ? 'repeatToken' : 'repeatPage', ...persistent }),
		outcome: /same page twice|token it had already returned/,
		maxRequests: 3,
		cap: 5,
	},
	{
		name: 'shape drift: the leads array is missing',
		fault: () => ({ kind: 'shapeDrift', ...persistent }),
		outcome: /unexpected shape/,
		maxRequests: 1,
	},
	{
		name: 'an endless sequence of full pages',
		fault: () => ({ kind: 'endless' }),
		options: { maxPages: 5 },
		outcome: /kept returning pages after 5 pages/,
		maxRequests: 5,
	},
	{
		name: 'an error body that echoes the Authorization header',
		fault: () => ({ kind: 'echoAuth', status: 401, ...persistent }),
		outcome: /rejected the API key \(HTTP 401\)/,
		maxRequests: 2,
	},
];

const FAST = { retryDelayMs: 1, maxRetries: 2, maxRetryWaitSeconds: 5, timeoutSeconds: 5 };

/** Everything of an error a user, a log or an error workflow could see. */
function visible(error: Error & { description?: unknown }): string {
	return JSON.stringify({ ...error, message: error.message, description: error.description, stack: error.stack });
}

describe.each(FIXTURES.map((fixture) => [fixture.displayName, fixture] as [string, VendorFixture]))('faults with %s', (_name, fixture) => {
	test.each(SCENARIOS.map((scenario) => [scenario.name, scenario] as [string, Scenario]))('node: %s', async (_n, scenario) => {
		if (scenario.cap) sim.setOptions(fixture.vendor, fixture.capOption(scenario.cap) as never);
		const stored = generate(sim, fixture, 12);
		sim.injectFault(fixture.vendor, scenario.fault(fixture));
		const parameters = { returnAll: true, options: { ...FAST, ...scenario.options } };
		if (scenario.outcome === 'recovers') {
			const items = await runLeads(sim, fixture, parameters);
			expect(items).toHaveLength(stored.length);
		} else {
			const error = await runLeadsError(sim, fixture, parameters);
			expect(error.constructor.name).toBe('NodeApiError');
			expect(error.message).toMatch(scenario.outcome);
			expect(visible(error)).not.toContain(sim.keys[fixture.vendor]);
		}
		expect(leadRequests(sim, fixture).length).toBeLessThanOrEqual(scenario.maxRequests);
	});

	test.each(SCENARIOS.filter((scenario) => scenario.outcome !== 'recovers').map((s) => [s.name, s] as [string, Scenario]))(
		'trigger: %s fails the poll, emits nothing, keeps the cursor; the next poll gets every lead',
		async (_n, scenario) => {
			const options = { ...FAST, ...scenario.options };
			if (scenario.cap) sim.setOptions(fixture.vendor, fixture.capOption(scenario.cap) as never);
			sim.addChatbot(fixture.vendor, fixture.chatbotId, { projectId: fixture.projectId });
			const first = await pollTrigger(sim, fixture, {}, { options });
			const fresh = generate(sim, fixture, 6, { start: new Date(Date.now() - 60_000), stepMs: 5_000 });
			sim.injectFault(fixture.vendor, scenario.fault(fixture));
			const error = await pollTrigger(sim, fixture, first.staticData, { options }).then(
				() => undefined,
				(caught: Error) => caught,
			);
			expect(error?.message).toMatch(scenario.outcome as RegExp);
			expect(visible(error as Error)).not.toContain(sim.keys[fixture.vendor]);
			sim.clearFaults();
			const next = await pollTrigger(sim, fixture, first.staticData, { options });
			expect(next.items).toHaveLength(fresh.length);
		},
	);
});
