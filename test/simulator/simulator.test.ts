import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';

import {
	createSimulator,
	encodeToken,
	SEED,
	type ChatbaseLead,
	type ChatofAiLead,
	type ChatzuriLead,
	type RobofyLead,
	type Simulator,
	type Vendor,
} from '.';

interface Reply {
	status: number;
	headers: Headers;
	text: string;
	json: any;
}

let sim: Simulator;

async function call(url: string, key?: string, init: RequestInit = {}): Promise<Reply> {
	const headers: Record<string, string> = { ...(init.headers as Record<string, string>) };
	if (key !== undefined) headers.authorization = `Bearer ${key}`;
	const res = await fetch(url, { ...init, headers });
	const text = await res.text();
	let json: any;
	try {
		json = JSON.parse(text);
	} catch {
		json = undefined;
	}
	return { status: res.status, headers: res.headers, text, json };
}

/** GET on a vendor path with that vendor's valid key. */
const get = (vendor: Vendor, pathAndQuery: string) => call(`${sim.baseUrls[vendor]}${pathAndQuery}`, sim.keys[vendor]);

const admin = (method: string, path: string, body?: unknown) =>
	call(`${sim.url}/__admin/${path}`, undefined, {
		method,
		body: body === undefined ? undefined : JSON.stringify(body),
		headers: { 'content-type': 'application/json' },
	});

beforeAll(async () => {
	sim = createSimulator();
	await sim.start();
});

afterAll(async () => {
	await sim.stop();
});

beforeEach(() => sim.reset());

describe('chatbase', () => {
	beforeEach(() => {
		sim.generateLeads('chatbase', 'bot1', 25, { start: '2026-10-01T08:00:00Z', stepMs: 60 * 60 * 1000 });
	});

	it('pages newest first with default size 10 and wire-shaped records', async () => {
		const page1 = await get('chatbase', '/get-leads?chatbotId=bot1');
		expect(page1.status).toBe(200);
		const rows: ChatbaseLead[] = page1.json.collectedCustomers;
		expect(rows).toHaveLength(10);
		expect(Object.keys(rows[0]).sort()).toEqual(['account_id', 'chatbot_id', 'created_at', 'email', 'id', 'name', 'phone']);
		expect(rows[0].created_at).toBe('2026-10-02T08:00:00.000Z');
		expect(rows[0].chatbot_id).toBe('bot1');

		const page3 = await get('chatbase', '/get-leads?chatbotId=bot1&page=3&size=10');
		expect(page3.json.collectedCustomers).toHaveLength(5);
		const page4 = await get('chatbase', '/get-leads?chatbotId=bot1&page=4&size=10');
		expect(page4.json.collectedCustomers).toEqual([]);
	});

	it('caps the page size at maxPageSize', async () => {
		sim.setOptions('chatbase', { maxPageSize: 7 });
		const res = await get('chatbase', '/get-leads?chatbotId=bot1&size=100');
		expect(res.json.collectedCustomers).toHaveLength(7);
	});

	it('filters by inclusive whole UTC days and rejects bad dates', async () => {
		const day1 = await get('chatbase', '/get-leads?chatbotId=bot1&startDate=2026-10-01&endDate=2026-10-01&size=100');
		expect(day1.json.collectedCustomers).toHaveLength(16); // 08:00..23:00
		const day2 = await get('chatbase', '/get-leads?chatbotId=bot1&startDate=2026-10-02&size=100');
		expect(day2.json.collectedCustomers).toHaveLength(9); // 00:00..08:00

		expect(await get('chatbase', '/get-leads?chatbotId=bot1&startDate=2026-13-01')).toMatchObject({
			status: 400,
			json: { message: 'Invalid startDate' },
		});
		expect((await get('chatbase', '/get-leads?chatbotId=bot1&startDate=2026-10-02&endDate=2026-10-01')).status).toBe(400);
	});

	it('supports the .data envelope, asc order and postgres timestamps', async () => {
		sim.setOptions('chatbase', { envelope: 'data', order: 'asc', timestampStyle: 'postgres' });
		const res = await get('chatbase', '/get-leads?chatbotId=bot1&size=2');
		expect(res.json.collectedCustomers.data[0].created_at).toBe('2026-10-01T08:00:00.000Z');
		const [lead] = sim.addLeads('chatbase', 'bot1', [{ createdAt: '2026-10-01T12:00:00Z' }]);
		expect(lead.created_at).toMatch(/^2026-10-01T12:00:00\.000\d{3}\+00:00$/);
	});

	it('random order is stable across requests', async () => {
		sim.setOptions('chatbase', { order: 'random' });
		const a = await get('chatbase', '/get-leads?chatbotId=bot1&page=2');
		const b = await get('chatbase', '/get-leads?chatbotId=bot1&page=2');
		expect(a.json).toEqual(b.json);
		const all = await get('chatbase', '/get-leads?chatbotId=bot1&size=100');
		const times = all.json.collectedCustomers.map((l: ChatbaseLead) => l.created_at);
		expect(times).not.toEqual([...times].sort().reverse());
		expect(new Set(all.json.collectedCustomers.map((l: ChatbaseLead) => l.id)).size).toBe(25);
	});

	it('answers 401 and 404 in its own error shape, never echoing the key', async () => {
		const noKey = await call(`${sim.baseUrls.chatbase}/get-leads?chatbotId=bot1`);
		expect(noKey).toMatchObject({ status: 401, json: { message: 'No API key provided.' } });
		const wrong = await call(`${sim.baseUrls.chatbase}/get-leads?chatbotId=bot1`, 'nope');
		expect(wrong.status).toBe(401);
		expect(wrong.text).not.toContain('nope');
		expect(await get('chatbase', '/get-leads?chatbotId=missing')).toMatchObject({
			status: 404,
			json: { message: 'Chatbot not found' },
		});
	});

	it('lists chatbots', async () => {
		sim.addChatbot('chatbase', 'bot2', { name: 'Second' });
		const res = await get('chatbase', '/get-chatbots');
		expect(res.json).toEqual({ chatbots: [{ id: 'bot1', name: 'Chatbot bot1' }, { id: 'bot2', name: 'Second' }] });
	});
});

describe('chatzuri', () => {
	it('answers 202 with { data } and numeric ids', async () => {
		sim.generateLeads('chatzuri', 'agent1', 12, { start: '2026-10-01T08:00:00Z' });
		const res = await get('chatzuri', '/get-leads?agentId=agent1&page=2&size=5');
		expect(res.status).toBe(202);
		const rows: ChatzuriLead[] = res.json.data;
		expect(rows).toHaveLength(5);
		expect(typeof rows[0].id).toBe('number');
		expect(Object.keys(rows[0]).sort()).toEqual(
			['chatbot_id', 'chatbot_owner_user_id', 'created_at', 'email', 'id', 'name', 'phone'].sort(),
		);
		expect((await get('chatzuri', '/get-leads?agentId=nope')).status).toBe(404);
		expect(await get('chatzuri', '/get-chatbots')).toMatchObject({
			status: 200,
			json: { chatbots: [{ chatbot_id: 'agent1', chatbot_name: 'Chatbot agent1' }] },
		});
	});
});

describe('chatofAi', () => {
	beforeEach(() => {
		sim.generateLeads('chatofAi', 'uid1', 30, { start: '2026-10-01T08:00:00Z', stepMs: 60 * 60 * 1000 });
	});

	it('returns code 0 with leads, page, capped page_size and total', async () => {
		sim.setOptions('chatofAi', { maxPageSize: 20 });
		const res = await get('chatofAi', '/chatbot/uid1/leads?page=2&page_size=50');
		expect(res.status).toBe(200);
		expect(res.json).toMatchObject({ code: 0, msg: 'Success.', data: { page: 2, page_size: 20, total: 30 } });
		expect(typeof res.json.request_id).toBe('string');
		const rows: ChatofAiLead[] = res.json.data.leads;
		expect(rows).toHaveLength(10);
		expect(rows[0]).not.toHaveProperty('id');
		expect(rows[0].created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$/);
	});

	it('filters by start_date/end_date; total counts all leads unless total=filtered', async () => {
		const res = await get('chatofAi', '/chatbot/uid1/leads?start_date=2026-10-02&end_date=2026-10-02&page_size=100');
		expect(res.json.data.leads).toHaveLength(14); // 00:00..13:00
		expect(res.json.data.total).toBe(30);
		sim.setOptions('chatofAi', { total: 'filtered' });
		const filtered = await get('chatofAi', '/chatbot/uid1/leads?start_date=2026-10-02&end_date=2026-10-02');
		expect(filtered.json.data.total).toBe(14);
	});

	it('reports errors as code != 0 inside HTTP 200, and 401 for a bad key', async () => {
		expect(await get('chatofAi', '/chatbot/unknown/leads')).toMatchObject({
			status: 200,
			json: { code: 10004, msg: 'bot not found', data: null },
		});
		expect(await get('chatofAi', '/chatbot/uid1/leads?start_date=2026/10/01')).toMatchObject({
			status: 200,
			json: { code: 10001, msg: 'invalid start_date' },
		});
		expect(await call(`${sim.baseUrls.chatofAi}/chatbot/uid1/leads`, 'bad')).toMatchObject({
			status: 401,
			json: { code: 401, msg: 'Unauthorized' },
		});
	});
});

describe('robofy', () => {
	const leadsPath = '/ai-agent/leads/7/agent1';

	beforeEach(() => {
		sim.generateLeads('robofy', 'agent1', 45, { projectId: 7, start: '2025-01-15T10:30:00Z', fields: { company: 'Acme' } });
	});

	it('pages by token in data.report with null on the last page', async () => {
		const page1 = await get('robofy', leadsPath);
		expect(page1.status).toBe(200);
		expect(page1.json.message).toBe('Leads retrieved successfully.');
		const report = page1.json.data.report;
		expect(report.columns).toEqual(['id', 'created_at', 'source', 'page_url', 'ip_address', 'lead_data']);
		expect(report.rows).toHaveLength(20);
		expect(report.next_page_token).toBe(encodeToken(2));
		const row: RobofyLead = report.rows[report.rows.length - 1];
		expect(row.created_at).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
		expect(row.lead_data.map((f) => f.field_name)).toEqual(['name', 'email', 'phone', 'company']);

		const page2 = await get('robofy', `${leadsPath}?nextPageToken=${encodeURIComponent(report.next_page_token)}`);
		const page3 = await get('robofy', `${leadsPath}?nextPageToken=${encodeURIComponent(page2.json.data.report.next_page_token)}`);
		expect(page3.json.data.report.rows).toHaveLength(5);
		expect(page3.json.data.report.next_page_token).toBeNull();
	});

	it('supports the token beside the report and other empty-token styles', async () => {
		sim.setOptions('robofy', { tokenPlacement: 'data', emptyTokenStyle: 'empty', pageSize: 40 });
		const page1 = await get('robofy', leadsPath);
		expect(page1.json.data.next_page_token).toBe(encodeToken(2));
		expect(page1.json.data.report).not.toHaveProperty('next_page_token');
		const page2 = await get('robofy', `${leadsPath}?nextPageToken=${encodeToken(2)}`);
		expect(page2.json.data.next_page_token).toBe('');
		sim.setOptions('robofy', { emptyTokenStyle: 'absent' });
		const again = await get('robofy', `${leadsPath}?nextPageToken=${encodeToken(2)}`);
		expect(again.json.data).not.toHaveProperty('next_page_token');
	});

	it('filters by sessionId, rejects bad tokens, 404s unknown projects', async () => {
		sim.addLeads('robofy', 'agent1', [{ sessionId: 'S1', name: 'Only me', createdAt: '2025-02-01T00:00:00Z' }]);
		const session = await get('robofy', `${leadsPath}?sessionId=S1`);
		expect(session.json.data.report.rows).toHaveLength(1);
		expect(session.json.data.report.rows[0].lead_data[0].field_value).toBe('Only me');

		expect(await get('robofy', `${leadsPath}?nextPageToken=%%%`)).toMatchObject({
			status: 400,
			json: { error: { code: 'BAD_REQUEST' } },
		});
		expect(await get('robofy', '/ai-agent/leads/8/agent1')).toMatchObject({
			status: 404,
			json: { error: { code: 'PROJECT_NOT_FOUND' } },
		});
		expect(await call(`${sim.baseUrls.robofy}${leadsPath}`)).toMatchObject({
			status: 401,
			json: { error: { code: 'UNAUTHORIZED' } },
		});
	});

	it('removeChatbot takes an agent out of its project\'s list, and its leads with it', async () => {
		sim.addChatbot('robofy', 'gone', { projectId: 9 });
		sim.addChatbot('robofy', 'stays', { projectId: 9 });
		expect(sim.removeChatbot('robofy', 'gone')).toBe(true);
		expect(sim.removeChatbot('robofy', 'gone')).toBe(false);
		expect((await get('robofy', '/ai-agent/chatbot/9')).json.data.map((b: { id: string }) => b.id)).toEqual(['stays']);
		expect((await get('robofy', '/ai-agent/leads/9/gone')).status).toBe(404);
	});

	it('setChatbotListed leaves an agent out of its project\'s list while its leads stay served', async () => {
		sim.addChatbot('robofy', 'hidden', { projectId: 9 });
		sim.addChatbot('robofy', 'shown', { projectId: 9 });
		expect(sim.setChatbotListed('robofy', 'hidden', false)).toBe(true);
		expect(sim.setChatbotListed('robofy', 'nobody', false)).toBe(false);
		expect((await get('robofy', '/ai-agent/chatbot/9')).json.data.map((b: { id: string }) => b.id)).toEqual(['shown']);
		expect((await get('robofy', '/ai-agent/leads/9/hidden')).status).toBe(200);
		sim.setChatbotListed('robofy', 'hidden', true);
		expect((await get('robofy', '/ai-agent/chatbot/9')).json.data.map((b: { id: string }) => b.id)).toEqual(['hidden', 'shown']);
	});

	it('lists projects and agents', async () => {
		expect((await get('robofy', '/projects')).json.data).toEqual([{ id: 7, name: 'Project 7' }]);
		expect((await get('robofy', '/ai-agent/chatbot/7')).json.data).toEqual([{ id: 'agent1', name: 'Chatbot agent1' }]);
	});

	it('writes times by its own clock (clockOffsetMinutes), and filters and orders by them', async () => {
		sim.setOptions('robofy', { clockOffsetMinutes: -480 });
		const [late] = sim.addLeads('robofy', 'agent1', [{ name: 'Behind', createdAt: '2025-03-01T06:00:00Z' }]);
		expect(late.created_at).toBe('2025-02-28 22:00:00');
		sim.setOptions('chatbase', { clockOffsetMinutes: 360 });
		const [ahead] = sim.addLeads('chatbase', 'bot', [{ name: 'Ahead', createdAt: '2025-03-01T20:00:00Z' }]);
		expect(ahead.created_at).toBe('2025-03-02T02:00:00.000Z');
		const filtered = await get('chatbase', '/get-leads?chatbotId=bot&startDate=2025-03-02&endDate=2025-03-02');
		expect(filtered.json.collectedCustomers.map((lead: ChatbaseLead) => lead.name)).toEqual(['Ahead']);
		expect(() => sim.setOptions('chatbase', { clockOffsetMinutes: 5000 })).toThrow(/clockOffsetMinutes/);
	});

	it('createdAtText: a time the wire does not carry readably, ordered and filtered by the real one', async () => {
		sim.addLeads('robofy', 'agent9', [
			{ name: 'First', createdAt: '2025-03-01T06:00:00Z' },
			{ name: 'Unreadable', createdAt: '2025-03-01T07:00:00Z', createdAtText: 'not a date' },
			{ name: 'Last', createdAt: '2025-03-01T08:00:00Z' },
		], { projectId: 7 });
		const rows = (await get('robofy', '/ai-agent/leads/7/agent9')).json.data.report.rows as RobofyLead[];
		expect(rows.map((row) => [row.lead_data[0].field_value, row.created_at])).toEqual([
			['Last', '2025-03-01 08:00:00'],
			['Unreadable', 'not a date'],
			['First', '2025-03-01 06:00:00'],
		]);
		const [none] = sim.addLeads('chatbase', 'bot', [{ name: 'No time', createdAt: '2025-03-02T10:00:00Z', createdAtText: null }]);
		expect(none.created_at).toBeNull();
		const day = await get('chatbase', '/get-leads?chatbotId=bot&startDate=2025-03-02&endDate=2025-03-02');
		expect(day.json.collectedCustomers.map((lead: ChatbaseLead) => lead.name)).toEqual(['No time']);
		expect((await get('chatbase', '/get-leads?chatbotId=bot&startDate=2025-03-03')).json.collectedCustomers).toEqual([]);
	});

	it('repeatToken hands back the token it was given', async () => {
		sim.injectFault('robofy', { kind: 'repeatToken', times: Infinity });
		const page1 = await get('robofy', leadsPath);
		expect(page1.json.data.report.next_page_token).toBe(encodeToken(2));
		const page2 = await get('robofy', `${leadsPath}?nextPageToken=${encodeToken(2)}`);
		expect(page2.json.data.report.next_page_token).toBe(encodeToken(2));
	});
});

describe('faults', () => {
	beforeEach(() => {
		sim.generateLeads('chatbase', 'bot1', 5, { start: '2026-10-01T08:00:00Z' });
	});
	const leads = () => get('chatbase', '/get-leads?chatbotId=bot1');

	it('status faults are consumed in order, then the API answers normally', async () => {
		sim.injectFault('chatbase', { kind: 'status', status: 429, headers: { 'Retry-After': '1' } });
		sim.injectFault('chatbase', { kind: 'status', status: 500 });
		const first = await leads();
		expect(first.status).toBe(429);
		expect(first.headers.get('retry-after')).toBe('1');
		expect(await leads()).toMatchObject({ status: 500, json: { message: 'Internal Server Error' } });
		expect((await leads()).status).toBe(200);
		expect(sim.requests.map((r) => r.status)).toEqual([429, 500, 200]);
	});

	it('maxConcurrentRequests answers 429 with Retry-After to requests over the limit, per vendor', async () => {
		sim.generateLeads('chatzuri', 'agent1', 2);
		sim.setOptions('chatbase', { maxConcurrentRequests: 2, retryAfterSeconds: 0.5, latencyMs: 100 });
		const replies = await Promise.all([leads(), leads(), leads(), get('chatzuri', '/get-leads?agentId=agent1')]);
		expect(replies.map((reply) => reply.status).sort()).toEqual([200, 200, 202, 429]);
		const limited = replies.find((reply) => reply.status === 429) as Reply;
		expect(limited.headers.get('retry-after')).toBe('0.5');
		expect(limited.json).toEqual({ message: 'Too many requests' });
		expect(sim.requests.filter((r) => r.fault === 'concurrencyLimit')).toHaveLength(1);
		// Once the others have answered, there is room again.
		expect((await leads()).status).toBe(200);
	});

	it('html, malformed, empty and shapeDrift bodies', async () => {
		sim.injectFault('chatbase', { kind: 'html' });
		const html = await leads();
		expect(html.status).toBe(502);
		expect(html.headers.get('content-type')).toContain('text/html');
		expect(html.text).toContain('<h1>502 Bad Gateway</h1>');

		sim.injectFault('chatbase', { kind: 'malformed' });
		const malformed = await leads();
		expect(malformed.status).toBe(200);
		expect(malformed.json).toBeUndefined();

		sim.injectFault('chatbase', { kind: 'empty' });
		expect(await leads()).toMatchObject({ status: 200, text: '' });

		sim.injectFault('chatbase', { kind: 'shapeDrift' });
		const drift = await leads();
		expect(drift.json).not.toHaveProperty('collectedCustomers');
		expect(drift.json.results).toHaveLength(5);
	});

	it('match.page targets one page; repeatPage serves page 1 again', async () => {
		sim.injectFault('chatbase', { kind: 'repeatPage', match: { page: 2 } });
		const page1 = await get('chatbase', '/get-leads?chatbotId=bot1&size=2');
		const page2 = await get('chatbase', '/get-leads?chatbotId=bot1&size=2&page=2');
		expect(page2.json).toEqual(page1.json);
	});

	it('reset, truncated and hang break the connection; stop() still returns quickly', async () => {
		sim.injectFault('chatbase', { kind: 'reset' });
		await expect(leads()).rejects.toThrow();
		sim.injectFault('chatbase', { kind: 'truncated' });
		await expect(leads()).rejects.toThrow();

		const other = createSimulator();
		await other.start();
		other.injectFault('chatbase', { kind: 'hang' });
		const hung = call(`${other.baseUrls.chatbase}/get-leads?chatbotId=x`, other.keys.chatbase);
		await new Promise((r) => setTimeout(r, 100));
		const started = Date.now();
		await other.stop();
		expect(Date.now() - started).toBeLessThan(1000);
		await expect(hung).rejects.toThrow();
	});

	it('match.chatbotId fails one chatbot\'s lead requests, wherever the vendor names the chatbot', async () => {
		sim.generateLeads('chatbase', 'bot2', 2);
		sim.generateLeads('chatofAi', 'c1', 2);
		sim.generateLeads('chatofAi', 'c2', 2);
		sim.generateLeads('robofy', 'a1', 2, { projectId: 3 });
		sim.generateLeads('robofy', 'a2', 2, { projectId: 3 });
		sim.injectFault('chatbase', { kind: 'status', status: 403, times: Infinity, match: { chatbotId: 'bot2' } });
		sim.injectFault('chatofAi', { kind: 'status', status: 500, times: Infinity, match: { chatbotId: 'c2' } });
		sim.injectFault('robofy', { kind: 'status', status: 500, times: Infinity, match: { chatbotId: 'a1' } });
		expect((await leads()).status).toBe(200);
		expect((await get('chatbase', '/get-chatbots')).status).toBe(200);
		expect((await get('chatbase', '/get-leads?chatbotId=bot2')).status).toBe(403);
		expect((await get('chatofAi', '/chatbot/c1/leads')).status).toBe(200);
		expect((await get('chatofAi', '/chatbot/c2/leads')).status).toBe(500);
		expect((await get('robofy', '/ai-agent/leads/3/a1')).status).toBe(500);
		expect((await get('robofy', '/ai-agent/leads/3/a2')).status).toBe(200);
	});

	it('echoAuth leaks the header in the body, but never into the request log', async () => {
		sim.injectFault('chatbase', { kind: 'echoAuth', status: 401 });
		const res = await leads();
		expect(res.status).toBe(401);
		expect(res.text).toContain(sim.keys.chatbase);
		expect(JSON.stringify(sim.requests)).not.toContain(sim.keys.chatbase);
	});

	it('endless keeps serving full pages of new leads', async () => {
		sim.injectFault('robofy', { kind: 'endless' });
		sim.addChatbot('robofy', 'a', { projectId: 1 });
		const ids = new Set<string>();
		let token: string | undefined;
		for (let i = 0; i < 3; i++) {
			const res = await get('robofy', `/ai-agent/leads/1/a${token ? `?nextPageToken=${token}` : ''}`);
			res.json.data.report.rows.forEach((r: RobofyLead) => ids.add(r.id));
			token = res.json.data.report.next_page_token;
			expect(token).toBeTruthy();
		}
		expect(ids.size).toBe(60);
	});
});

describe('admin API', () => {
	it('adds, generates, configures, injects faults and reports requests', async () => {
		const added = await admin('POST', 'leads', {
			vendor: 'chatzuri',
			chatbotId: 'agentX',
			leads: [{ createdAt: '2026-10-01T10:00:00Z', name: 'Zed', email: 'zed@example.com' }],
		});
		expect(added.status).toBe(200);
		expect(added.json.leads[0]).toMatchObject({ name: 'Zed', chatbot_id: 'agentX', created_at: '2026-10-01T10:00:00.000Z' });

		await admin('POST', 'generate', { vendor: 'chatzuri', chatbotId: 'agentX', count: 4, start: '2026-10-02T00:00:00Z' });
		expect((await admin('GET', 'leads?vendor=chatzuri&chatbotId=agentX')).json.leads).toHaveLength(5);

		await admin('POST', 'options', { vendor: 'chatzuri', options: { maxPageSize: 2 } });
		expect((await get('chatzuri', '/get-leads?agentId=agentX&size=50')).json.data).toHaveLength(2);

		await admin('POST', 'faults', { vendor: 'chatzuri', fault: { kind: 'status', status: 503, match: { pathRegex: '^/get-leads$' } } });
		expect((await get('chatzuri', '/get-chatbots')).status).toBe(200);
		expect((await get('chatzuri', '/get-leads?agentId=agentX')).status).toBe(503);

		const log = (await admin('GET', 'requests')).json.requests;
		expect(log.map((r: { status: number }) => r.status)).toEqual([202, 200, 503]);
		expect(log[0]).toMatchObject({ vendor: 'chatzuri', method: 'GET', path: '/get-leads', query: { agentId: 'agentX', size: '50' } });

		expect((await admin('POST', 'options', { vendor: 'chatzuri', options: { order: 'sideways' } })).status).toBe(400);

		await admin('POST', 'reset');
		expect(sim.requestCount()).toBe(0);
		expect(sim.leads('chatzuri', 'agentX')).toEqual([]);
		expect(sim.getOptions('chatzuri').maxPageSize).toBe(100);
	});

	it('seeds the demo data', async () => {
		await admin('POST', 'seed');
		expect(sim.leads('chatbase', SEED.chatbase)).toHaveLength(25);
		expect(sim.leads('chatzuri', SEED.chatzuri)).toHaveLength(25);
		expect(sim.leads('chatofAi', SEED.chatofAi)).toHaveLength(25);
		const robofy = sim.leads('robofy', SEED.robofy);
		expect(robofy).toHaveLength(25);
		expect(robofy[0].lead_data.some((f) => f.field_name === 'company')).toBe(true);
		expect(sim.leads('chatbase', SEED.chatbase)[1].created_at).toBe('2026-10-01T08:37:00.000Z');
	});
});

describe('webhooks (push)', () => {
	/** A receiver on 127.0.0.1 that records each request's exact bytes and headers. */
	async function receiver(status = 200) {
		const received: Array<{ body: Buffer; headers: Record<string, string | string[] | undefined> }> = [];
		const server = createServer((req, res) => {
			const chunks: Buffer[] = [];
			req.on('data', (chunk: Buffer) => chunks.push(chunk));
			req.on('end', () => {
				received.push({ body: Buffer.concat(chunks), headers: req.headers });
				res.writeHead(status, { 'content-type': 'application/json' }).end('{"ok":true}');
			});
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`;
		return { url, received, close: () => new Promise((resolve) => server.close(resolve)) };
	}
	const hmac = (algorithm: string, secret: string, body: Buffer, encoding: 'hex' | 'base64' = 'hex') =>
		createHmac(algorithm, secret).update(body).digest(encoding);

	it('Chatbase: leads.submit with a hex HMAC-SHA1 of the exact bytes, and the lead stored in its API', async () => {
		const target = await receiver();
		const sent = await sim.sendWebhook({ vendor: 'chatbase', url: target.url, chatbotId: 'bot1', lead: { name: 'Zoë', email: 'z@example.com' }, pretty: true });
		const [request] = target.received;
		expect(JSON.parse(request.body.toString('utf8'))).toEqual({
			eventType: 'leads.submit',
			chatbotId: 'bot1',
			payload: { conversationId: expect.stringMatching(/^conv_/), customerEmail: 'z@example.com', customerName: 'Zoë', customerPhone: null },
		});
		expect(request.body.toString('utf8')).toContain('\n  "eventType"');
		expect(request.headers['x-chatbase-signature']).toBe(hmac('sha1', sim.webhookSecrets.chatbase, request.body));
		expect(sent.deliveries).toEqual([{ status: 200, body: { ok: true }, sentAt: expect.any(Number), ms: expect.any(Number) }]);
		expect(sim.leads('chatbase', 'bot1').map((lead) => lead.email)).toEqual(['z@example.com']);
		await target.close();
	});

	it('Chatzuri: the guide, API and older API shapes, signed as each is documented', async () => {
		const target = await receiver();
		const secret = sim.webhookSecrets.chatzuri;
		const base = { vendor: 'chatzuri' as const, url: target.url, chatbotId: 'agt_1', lead: { name: 'Ann', createdAt: '2026-04-26T08:30:14Z' } };
		await sim.sendWebhook({ ...base, shape: 'guide' });
		await sim.sendWebhook({ ...base, shape: 'api', signature: 'base64' });
		await sim.sendWebhook({ ...base, shape: 'apiLegacy' });
		const [guide, api, legacy] = target.received;
		expect(JSON.parse(guide.body.toString())).toEqual({
			event: 'lead.submit',
			timestamp: '2026-04-26T08:30:14.000Z',
			agent_id: 'agt_1',
			data: { name: 'Ann', email: null, phone: null, channel: 'website' },
		});
		expect(guide.headers['x-chatzuri-signature']).toBe(`sha256=${hmac('sha256', secret, guide.body)}`);
		expect(JSON.parse(api.body.toString())).toMatchObject({ eventType: 'lead.submit', agentId: 'agt_1', payload: { customerName: 'Ann' } });
		expect(api.headers['x-chatzuri-signature']).toBe(`sha256=${hmac('sha256', secret, api.body, 'base64')}`);
		expect(JSON.parse(legacy.body.toString())).toMatchObject({ eventType: 'leads.submit', chatbotId: 'agt_1' });
		expect(legacy.headers['x-chatzuri-signature']).toBe(hmac('sha1', secret, legacy.body));
		await target.close();
	});

	it('unsigned without a secret; wrong, missing and tampered signatures on request', async () => {
		const target = await receiver();
		const base = { vendor: 'chatzuri' as const, url: target.url, chatbotId: 'agt_1', store: false };
		await sim.sendWebhook({ ...base, secret: null });
		await sim.sendWebhook({ ...base, signature: 'none' });
		await sim.sendWebhook({ ...base, signature: 'wrong' });
		await sim.sendWebhook({ ...base, signature: 'tampered' });
		const [unsigned, none, wrong, tampered] = target.received;
		expect(unsigned.headers['x-chatzuri-signature']).toBeUndefined();
		expect(none.headers['x-chatzuri-signature']).toBeUndefined();
		expect(wrong.headers['x-chatzuri-signature']).not.toBe(`sha256=${hmac('sha256', sim.webhookSecrets.chatzuri, wrong.body)}`);
		const signedBytes = tampered.body.subarray(0, tampered.body.length - 1);
		expect(tampered.headers['x-chatzuri-signature']).toBe(`sha256=${hmac('sha256', sim.webhookSecrets.chatzuri, signedBytes)}`);
		expect(sim.leads('chatzuri', 'agt_1')).toEqual([]);
		await target.close();
	});

	it('redelivers the same bytes and headers, one after another or all at once, and logs every delivery', async () => {
		const target = await receiver(503);
		const sent = await sim.sendWebhook({ vendor: 'chatbase', url: target.url, chatbotId: 'bot1', lead: { name: 'A' } });
		const again = await sim.redeliverWebhook(sent.id, { copies: 3, concurrent: true });
		expect(again.deliveries.map((d) => d.status)).toEqual([503, 503, 503]);
		expect(new Set(target.received.map((r) => r.body.toString('hex'))).size).toBe(1);
		expect(new Set(target.received.map((r) => r.headers['x-chatbase-signature'])).size).toBe(1);
		expect(sim.webhooks[0].deliveries).toHaveLength(4);
		expect(sim.leads('chatbase', 'bot1')).toHaveLength(1);
		await target.close();
	});

	it('through the admin API, and only to loopback addresses', async () => {
		const target = await receiver();
		const sent = await admin('POST', 'webhooks', { vendor: 'chatzuri', url: target.url, chatbotId: 'agt_1', shape: 'api', lead: { email: 'a@b.c' } });
		expect(sent.status).toBe(200);
		expect(sent.json.webhook.deliveries[0].status).toBe(200);
		const redelivered = await admin('POST', 'webhooks/redeliver', { id: sent.json.webhook.id, copies: 2 });
		expect(redelivered.json.webhook.deliveries).toHaveLength(2);
		expect((await admin('GET', 'webhooks')).json.webhooks).toHaveLength(1);
		expect(target.received).toHaveLength(3);
		expect((await admin('POST', 'webhooks', { vendor: 'chatbase', url: 'http://example.com/hook', chatbotId: 'b' })).status).toBe(400);
		expect((await admin('POST', 'webhooks', { vendor: 'robofy', url: target.url, chatbotId: 'b' })).status).toBe(400);
		await target.close();
	});
});
