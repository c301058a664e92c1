import type { INodeParameters } from 'n8n-workflow';

import { FIXTURES, type VendorFixture } from './fixtures';
import { generate, leadRequests, runLeads, runLeadsError, useSimulator } from './helpers';

const sim = useSimulator();

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function ids(items: Array<{ json: Record<string, unknown> }>): string[] {
	return items.map((item) => String(item.json.id));
}

describe.each(FIXTURES.map((fixture) => [fixture.displayName, fixture] as [string, VendorFixture]))(
	'Chatbot Leads with %s',
	(_name, fixture) => {
		test('Return All fetches every lead across several pages, each once', async () => {
			const stored = generate(sim, fixture, 2 * fixture.pageSize + 17);
			const items = await runLeads(sim, fixture, { returnAll: true });
			expect(items).toHaveLength(stored.length);
			expect(new Set(ids(items)).size).toBe(stored.length);
			if (fixture.idOf) expect(new Set(ids(items))).toEqual(new Set(stored.map(fixture.idOf)));
			expect(leadRequests(sim, fixture).length).toBeGreaterThanOrEqual(3);
			for (const item of items) expect(item.pairedItem).toEqual({ item: 0 });
		});

		test('a Limit smaller than a page takes one request and returns exactly that many', async () => {
			generate(sim, fixture, 60);
			const items = await runLeads(sim, fixture, { returnAll: false, limit: 5 });
			expect(items).toHaveLength(5);
			expect(leadRequests(sim, fixture)).toHaveLength(1);
		});

		test('a Limit larger than a page fetches only the pages it needs', async () => {
			generate(sim, fixture, 3 * fixture.pageSize);
			const limit = fixture.pageSize + 10;
			const items = await runLeads(sim, fixture, { returnAll: false, limit });
			expect(items).toHaveLength(limit);
			expect(new Set(ids(items)).size).toBe(limit);
			expect(leadRequests(sim, fixture)).toHaveLength(2);
		});

		test('a Limit above the number of leads returns all there are', async () => {
			generate(sim, fixture, 7);
			const items = await runLeads(sim, fixture, { returnAll: false, limit: 50 });
			expect(items).toHaveLength(7);
		});

		test('does not lose leads when the server caps the page size below what was asked', async () => {
			sim.setOptions(fixture.vendor, fixture.capOption(7) as never);
			const stored = generate(sim, fixture, 52);
			const items = await runLeads(sim, fixture, { returnAll: true });
			expect(items).toHaveLength(stored.length);
			expect(new Set(ids(items)).size).toBe(stored.length);
		});

		test('date filters keep exactly the leads of those whole UTC days', async () => {
			// One lead every 6 hours from 2026-10-01 00:00 UTC: four a day for five days.
			const stored = generate(sim, fixture, 20, { start: '2026-10-01T00:00:00.000Z', stepMs: 6 * 3600_000 });
			const items = await runLeads(sim, fixture, {
				returnAll: true,
				filters: { startDate: '2026-10-02T00:00:00', endDate: '2026-10-03T00:00:00' },
			});
			expect(items).toHaveLength(8);
			for (const item of items) expect(String(item.json.createdAt)).toMatch(/^2026-10-0[23]T/);
			expect(stored).toHaveLength(20);
			const query = leadRequests(sim, fixture)[0].query;
			if (fixture.dateParams) {
				// Sent as YYYY-MM-DD, a day wider on each side since no vendor says whether its bounds are inclusive.
				expect(query[fixture.dateParams[0]]).toBe('2026-10-01');
				expect(query[fixture.dateParams[1]]).toBe('2026-10-04');
			} else {
				expect(Object.keys(query).join()).not.toMatch(/date/i);
			}
		});

		test('every lead comes out in the normalized shape', async () => {
			sim.addLeads(
				fixture.vendor,
				fixture.chatbotId,
				[
					{
						createdAt: '2026-10-01T12:00:00.000Z',
						name: 'Ada Lovelace',
						email: 'ada@example.com',
						phone: '+44 20 7946 0000',
						sessionId: 'sess-1',
						conversationId: 'conv-1',
						remark: 'Wants a demo',
						fields: { company: 'Analytical Engines' },
					},
				],
				{ projectId: fixture.projectId },
			);
			const [item] = await runLeads(sim, fixture, { returnAll: true });
			const lead = item.json;
			expect(Object.keys(lead).sort()).toEqual(
				['chatbotId', 'conversationId', 'createdAt', 'email', 'fields', 'id', 'name', 'phone', 'provider'].sort(),
			);
			expect(lead).toMatchObject({
				provider: fixture.vendor,
				chatbotId: fixture.chatbotId,
				name: 'Ada Lovelace',
				email: 'ada@example.com',
				phone: '+44 20 7946 0000',
				createdAt: '2026-10-01T12:00:00.000Z',
			});
			expect(typeof lead.id).toBe('string');
			expect(lead.id).not.toBe('');
			expect(typeof lead.fields).toBe('object');
		});

		test('missing values are null, and Include Raw Record adds the original record', async () => {
			sim.addLeads(fixture.vendor, fixture.chatbotId, [{ createdAt: '2026-10-01T12:00:00.000Z' }], {
				projectId: fixture.projectId,
			});
			const [item] = await runLeads(sim, fixture, { returnAll: true, options: { includeRaw: true } });
			expect(item.json.name).toBeNull();
			expect(item.json.email).toBeNull();
			expect(item.json.phone).toBeNull();
			expect(item.json.createdAt).toMatch(ISO_UTC);
			expect(item.json.raw).toEqual(sim.leads(fixture.vendor, fixture.chatbotId)[0]);
		});

		test('ids are stable from one run to the next', async () => {
			generate(sim, fixture, 30);
			const first = ids(await runLeads(sim, fixture, { returnAll: true }));
			const second = ids(await runLeads(sim, fixture, { returnAll: true }));
			expect(second.sort()).toEqual(first.sort());
		});

		test('a wrong API key is a clear 401 that names the credential, without the key', async () => {
			generate(sim, fixture, 3);
			const error = await runLeadsError(sim, fixture, { returnAll: true }, 'wrong-key-12345');
			expect(error.constructor.name).toBe('NodeApiError');
			expect(error.message).toContain('API key');
			expect(error.message).toContain(`${fixture.displayName} credential`);
			expect(JSON.stringify(error)).not.toContain('wrong-key-12345');
			expect(String(error.stack)).not.toContain('wrong-key-12345');
		});

		test('an unknown chatbot is a clear error that says to check the ID', async () => {
			const error = await runLeadsError(sim, fixture, {
				returnAll: true,
				chatbotId: { __rl: true, mode: 'id', value: 'no-such-bot' },
			});
			expect(error.constructor.name).toBe('NodeApiError');
			expect(error.message).toMatch(/no-such-bot|not found/i);
			expect(error.message).toMatch(/check the/i);
		});

		test('a 400 from the vendor points at the dates', async () => {
			sim.injectFault(fixture.vendor, { kind: 'status', status: 400, body: { message: 'Invalid startDate' } });
			const error = await runLeadsError(sim, fixture, { returnAll: true });
			expect(error.message).toContain('HTTP 400');
			expect(error.message).toMatch(/Start Date and End Date/);
		});

		test('a persistent 500 fails after the configured retries with a clear message', async () => {
			generate(sim, fixture, 3);
			sim.injectFault(fixture.vendor, { kind: 'status', status: 500, times: Infinity });
			const error = await runLeadsError(sim, fixture, { returnAll: true });
			expect(error.message).toContain('server error (HTTP 500) after 3 attempts');
			expect(leadRequests(sim, fixture)).toHaveLength(3);
		});

		test('a 500 once is retried and nothing is lost', async () => {
			const stored = generate(sim, fixture, 2 * fixture.pageSize + 3);
			sim.injectFault(fixture.vendor, { kind: 'status', status: 500, match: { page: 2 } });
			const items = await runLeads(sim, fixture, { returnAll: true });
			expect(items).toHaveLength(stored.length);
		});

		test('a server that repeats the same page stops with a clear error instead of looping', async () => {
			generate(sim, fixture, 3 * fixture.pageSize);
			sim.injectFault(fixture.vendor, { kind: fixture.vendor === 'robofy' ? 'repeatToken' : 'repeatPage', times: Infinity });
			const error = await runLeadsError(sim, fixture, { returnAll: true });
			expect(error.constructor.name).toBe('NodeApiError');
			expect(error.message).toMatch(/same page twice|token it had already returned/);
		});

		test('an ID typed with a path character is flagged by n8n itself before the run', async () => {
			const error = await runLeadsError(sim, fixture, { chatbotId: { __rl: true, mode: 'id', value: 'a/b' } });
			expect(error.constructor.name).toBe('WorkflowHasIssuesError');
			expect(sim.requests).toHaveLength(0);
		});

		test('bad input is refused before any request', async () => {
			// IDs from expressions skip the editor's checks, so the node checks them itself.
			const cases: Array<[INodeParameters, RegExp]> = [
				[{ chatbotId: { __rl: true, mode: 'id', value: '={{ "   " }}' } }, /Chatbot ID is empty/],
				[{ chatbotId: { __rl: true, mode: 'id', value: '={{ "../admin" }}' } }, /Chatbot ID "..\/admin" contains/],
				[{ chatbotId: { __rl: true, mode: 'id', value: '={{ "bot?x=1" }}' } }, /contains "\?"/],
				[{ chatbotId: { __rl: true, mode: 'id', value: '={{ "bot#frag" }}' } }, /contains "#"/],
				[{ filters: { startDate: '2026-13-45' } }, /Start Date "2026-13-45" is not a date/],
				[{ filters: { startDate: '2026-10-05', endDate: '2026-10-01' } }, /before Start Date/],
				[{ returnAll: false, limit: 0 }, /Limit must be/],
				[{ returnAll: false, limit: '={{ -3 }}' }, /Limit must be a whole number of at least 1 \(got -3\)/],
				[{ filters: { startDate: '10/01/2026' } }, /Use the YYYY-MM-DD format/],
			];
			for (const [parameters, message] of cases) {
				const error = await runLeadsError(sim, fixture, parameters);
				expect(error.constructor.name).toBe('NodeOperationError');
				expect(error.message).toMatch(message);
			}
			expect(sim.requests).toHaveLength(0);
		});

		test('a Base URL that is not http(s) is refused before any request', async () => {
			for (const baseUrl of ['ftp://example.com/api', 'not a url', 'javascript:alert(1)']) {
				const error = await runLeads(sim, fixture, { returnAll: true }, { baseUrl }).then(
					() => undefined,
					(caught: Error) => caught,
				);
				expect(error?.constructor.name).toBe('NodeOperationError');
				expect(error?.message).toContain(`Base URL in your ${fixture.displayName} credential is not an http(s) URL`);
			}
			expect(sim.requests).toHaveLength(0);
		});

		test('a record without an id gets a stable derived one; an unreadable time becomes null', async () => {
			const record = { ...sim.makeLead(fixture.vendor, { name: 'No Id' }), [fixture.idField ?? 'id']: undefined, [fixture.timeField ?? 'created_at']: 'yesterday-ish' };
			sim.addRawLeads(fixture.vendor, fixture.chatbotId, [record], { projectId: fixture.projectId });
			const [first] = await runLeads(sim, fixture, { returnAll: true });
			const [second] = await runLeads(sim, fixture, { returnAll: true });
			expect(first.json.id).toMatch(/_[0-9a-f]{24}$/);
			expect(second.json.id).toBe(first.json.id);
			expect(first.json.createdAt).toBeNull();
		});

		test('with Continue On Fail, a failed item becomes an error item paired to its input', async () => {
			const items = await runLeads(
				sim,
				fixture,
				{ returnAll: true, chatbotId: { __rl: true, mode: 'id', value: 'missing-bot' } },
				{ continueOnFail: true, inputItems: [{ json: { a: 1 } }, { json: { a: 2 } }] },
			);
			expect(items).toHaveLength(2);
			expect(items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
			expect(String(items[0].json.error)).toMatch(/check the/i);
		});

		test('an error body that echoes the Authorization header never reaches the user', async () => {
			sim.injectFault(fixture.vendor, { kind: 'echoAuth', status: 401 });
			const error = await runLeadsError(sim, fixture, { returnAll: true });
			const everything = JSON.stringify({ ...error, message: error.message, description: error.description });
			expect(everything).not.toContain(sim.keys[fixture.vendor]);
		});
	},
);
