import { chatbaseFixture } from './fixtures/chatbase';
import { chatofAiFixture } from './fixtures/chatofAi';
import { chatzuriFixture } from './fixtures/chatzuri';
import { robofyFixture } from './fixtures/robofy';
import { generate, leadRequests, runLeads, runLeadsError, useSimulator } from './helpers';

const sim = useSimulator();

describe('Chatbase quirks', () => {
	test('reads leads under collectedCustomers.data as well as the documented array', async () => {
		sim.setOptions('chatbase', { envelope: 'data' });
		const stored = generate(sim, chatbaseFixture, 130);
		const items = await runLeads(sim, chatbaseFixture, { returnAll: true });
		expect(items).toHaveLength(stored.length);
	});

	test('Postgres-style timestamps with microseconds and +00:00 become ISO UTC', async () => {
		sim.setOptions('chatbase', { timestampStyle: 'postgres' });
		sim.addLeads('chatbase', chatbaseFixture.chatbotId, [{ createdAt: '2026-10-01T12:00:00.000Z' }]);
		expect(sim.leads('chatbase', chatbaseFixture.chatbotId)[0].created_at).toMatch(/\.\d{6}\+00:00$/);
		const [item] = await runLeads(sim, chatbaseFixture, { returnAll: true });
		expect(item.json.createdAt).toMatch(/^2026-10-01T12:00:00\.\d{3}Z$/);
	});

	test('page and size are sent as the spec names them', async () => {
		generate(sim, chatbaseFixture, 3);
		await runLeads(sim, chatbaseFixture, { returnAll: false, limit: 3 });
		expect(leadRequests(sim, chatbaseFixture)[0].query).toMatchObject({
			chatbotId: chatbaseFixture.chatbotId,
			page: '1',
			size: '3',
		});
	});
});

describe('Chatzuri quirks', () => {
	test('202 is success, and the agent goes in agentId', async () => {
		generate(sim, chatzuriFixture, 4);
		const items = await runLeads(sim, chatzuriFixture, { returnAll: true });
		expect(items).toHaveLength(4);
		const [request] = leadRequests(sim, chatzuriFixture);
		expect(request.status).toBe(202);
		expect(request.query.agentId).toBe(chatzuriFixture.chatbotId);
		expect(items[0].json.id).toMatch(/^\d+$/);
	});
});

describe('Chatof.ai quirks', () => {
	test('code != 0 inside an HTTP 200 is an error with the vendor reason', async () => {
		const error = await runLeadsError(sim, chatofAiFixture, {
			returnAll: true,
			chatbotId: { __rl: true, mode: 'id', value: 'unknown-bot' },
		});
		expect(error.constructor.name).toBe('NodeApiError');
		expect(error.message).toContain('Chatof.ai returned an error: bot not found (code 10004)');
		expect(error.message).toContain('Check the bot UID');
	});

	test('leads without ids get distinct ids derived from the record', async () => {
		const stored = generate(sim, chatofAiFixture, 40, { stepMs: 1000 });
		const items = await runLeads(sim, chatofAiFixture, { returnAll: true });
		expect(new Set(items.map((item) => item.json.id)).size).toBe(stored.length);
		for (const item of items) expect(item.json.id).toMatch(/^chatof_[0-9a-f]{24}$/);
		expect(items[0].json.conversationId).toEqual(expect.any(String));
	});

	test('two leads of one conversation at the same second still get different ids', async () => {
		const at = '2026-10-01T10:00:00.000Z';
		sim.addLeads('chatofAi', chatofAiFixture.chatbotId, [
			{ conversationId: 'conv-1', createdAt: at, email: 'a@example.com' },
			{ conversationId: 'conv-1', createdAt: at, email: 'b@example.com' },
		]);
		const items = await runLeads(sim, chatofAiFixture, { returnAll: true });
		expect(new Set(items.map((item) => item.json.id)).size).toBe(2);
	});

	test('the remark lands in fields', async () => {
		sim.addLeads('chatofAi', chatofAiFixture.chatbotId, [{ remark: 'Call me after 5' }]);
		const [item] = await runLeads(sim, chatofAiFixture, { returnAll: true });
		expect(item.json.fields).toEqual({ remark: 'Call me after 5' });
	});

	test('Return All requests the pages after the first concurrently, bounded by the option, losing nothing', async () => {
		sim.setOptions('chatofAi', { latencyMs: 30, maxPageSize: 50 });
		const stored = generate(sim, chatofAiFixture, 480);
		const items = await runLeads(sim, chatofAiFixture, { returnAll: true, options: { concurrency: 3 } });
		expect(new Set(items.map((item) => item.json.id)).size).toBe(stored.length);
		expect(sim.maxInFlight).toBe(3);
		// 10 pages of 50 (the cap), and at most 2 read-ahead pages past the end.
		expect(leadRequests(sim, chatofAiFixture).length).toBeLessThanOrEqual(12);
	});

	test('with a Limit, read-ahead stops at the pages the limit needs', async () => {
		generate(sim, chatofAiFixture, 1000);
		const items = await runLeads(sim, chatofAiFixture, { returnAll: false, limit: 250, options: { concurrency: 8 } });
		expect(items).toHaveLength(250);
		expect(leadRequests(sim, chatofAiFixture)).toHaveLength(3);
	});

	test('with data.total the last page is known without asking for an empty one', async () => {
		generate(sim, chatofAiFixture, 250);
		await runLeads(sim, chatofAiFixture, { returnAll: true });
		expect(leadRequests(sim, chatofAiFixture)).toHaveLength(3);
	});
});

describe('Robofy quirks', () => {
	test.each(['report', 'data'] as const)('follows next_page_token placed in data.%s', async (placement) => {
		sim.setOptions('robofy', { tokenPlacement: placement });
		const stored = generate(sim, robofyFixture, 65);
		const items = await runLeads(sim, robofyFixture, { returnAll: true });
		expect(items).toHaveLength(stored.length);
		expect(leadRequests(sim, robofyFixture)).toHaveLength(4);
	});

	test.each(['null', 'empty', 'absent'] as const)('a %s token ends paging', async (style) => {
		sim.setOptions('robofy', { emptyTokenStyle: style });
		generate(sim, robofyFixture, 45);
		const items = await runLeads(sim, robofyFixture, { returnAll: true });
		expect(items).toHaveLength(45);
	});

	test('zoneless created_at is UTC by default, or the zone named in the options', async () => {
		sim.addLeads('robofy', robofyFixture.chatbotId, [{ created_at: '2025-01-15 10:30:00' }], { projectId: 101 });
		const [utc] = await runLeads(sim, robofyFixture, { returnAll: true });
		expect(utc.json.createdAt).toBe('2025-01-15T10:30:00.000Z');
		const [berlin] = await runLeads(sim, robofyFixture, { returnAll: true, options: { timeZone: 'Europe/Berlin' } });
		expect(berlin.json.createdAt).toBe('2025-01-15T09:30:00.000Z');
	});

	test('an unknown time zone is refused before any request', async () => {
		const error = await runLeadsError(sim, robofyFixture, { returnAll: true, options: { timeZone: 'Mars/Olympus' } });
		expect(error.constructor.name).toBe('NodeOperationError');
		expect(error.message).toContain('Mars/Olympus');
		expect(sim.requests).toHaveLength(0);
	});

	test('lead_data answers become fields, and name/email/phone are read from them', async () => {
		sim.addLeads(
			'robofy',
			robofyFixture.chatbotId,
			[{ name: 'Grace', email: 'grace@example.com', phone: '555', fields: { company: 'Navy', 'Budget range': '10k' } }],
			{ projectId: 101 },
		);
		const [item] = await runLeads(sim, robofyFixture, { returnAll: true });
		expect(item.json).toMatchObject({ name: 'Grace', email: 'grace@example.com', phone: '555' });
		expect(item.json.fields).toMatchObject({ company: 'Navy', 'Budget range': '10k', email: 'grace@example.com' });
	});

	test('the Session ID filter is sent, and the project goes in the path', async () => {
		sim.addLeads('robofy', robofyFixture.chatbotId, [{ sessionId: 's-1' }, { sessionId: 's-2' }], { projectId: 101 });
		const items = await runLeads(sim, robofyFixture, { returnAll: true, filters: { sessionId: 's-2' } });
		expect(items).toHaveLength(1);
		const [request] = leadRequests(sim, robofyFixture);
		expect(request.path).toBe(`/ai-agent/leads/101/${robofyFixture.chatbotId}`);
		expect(request.query.sessionId).toBe('s-2');
	});

	test('an unknown project is a 404 that says to check the chatbot and project', async () => {
		generate(sim, robofyFixture, 2);
		const error = await runLeadsError(sim, robofyFixture, {
			returnAll: true,
			projectId: { __rl: true, mode: 'id', value: '999' },
		});
		expect(error.message).toContain('project "999"');
		expect(error.message).toContain('and the project');
		expect(error.description).toContain('PROJECT_NOT_FOUND');
	});

	test('with newest-first order, a Start Date stops paging once leads are older', async () => {
		generate(sim, robofyFixture, 200, { start: '2026-09-01T00:00:00.000Z', stepMs: 3600_000 });
		const items = await runLeads(sim, robofyFixture, { returnAll: true, filters: { startDate: '2026-09-09' } });
		expect(items.length).toBe(200 - 8 * 24);
		expect(leadRequests(sim, robofyFixture)).toHaveLength(1);
	});
});
