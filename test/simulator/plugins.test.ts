/** The simulator takes vendors as plug-ins: one registered at runtime is served like a built-in. */
import { createSimulator, registerVendor, VENDORS, type Simulator, type VendorPlugin } from '.';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { reply } = require('./respond') as { reply: (status: number, body: unknown) => { status: number; body: unknown } };

const echo: VendorPlugin = {
	name: 'echoBots',
	prefix: '/echo/v1',
	defaults: { order: 'asc', latencyMs: 0, clockOffsetMinutes: 0, maxConcurrentRequests: 0, retryAfterSeconds: 1 },
	makeRecord: (spec, at, id) => ({ uid: id, who: spec.name ?? null, when: at.getTime(), bot: spec.chatbotId ?? '' }),
	newId: (n) => `e${n}`,
	idField: 'uid',
	botField: 'bot',
	timeField: 'when',
	requestedChatbot: (path) => /^\/bots\/([^/]+)$/.exec(path)?.[1],
	api: {
		error: (_status, message) => ({ failed: message }),
		unauthorized: () => 'nope',
		malformed: '{"items": [',
		routes: [{ pattern: /^\/bots\/([^/]+)$/, leads: true, handle: (ctx, bot) => reply(200, { items: ctx.sim.leads(ctx.vendor, bot) }) }],
	},
};

let sim: Simulator;
beforeAll(async () => {
	sim = createSimulator({ plugins: [echo] });
	await sim.start();
});
afterAll(() => sim.stop());

test('a plug-in given at creation is a vendor like the built-ins: key, base URL, data, routes, auth, faults', async () => {
	expect(VENDORS).toEqual(expect.arrayContaining(['chatbase', 'chatzuri', 'chatofAi', 'robofy', 'echoBots']));
	expect(sim.keys.echoBots).toBe('sim-echoBots-key');
	expect(sim.baseUrls.echoBots).toBe(`${sim.url}/echo/v1`);
	const [stored] = sim.generateLeads('echoBots', 'b1', 2, { start: '2026-10-01T00:00:00Z' });
	expect(stored).toEqual({ uid: 'e1', who: expect.any(String), when: Date.parse('2026-10-01T00:00:00Z'), bot: 'b1' });

	const get = async (key: string) => {
		const res = await fetch(`${sim.baseUrls.echoBots}/bots/b1`, { headers: { authorization: `Bearer ${key}` } });
		return { status: res.status, body: (await res.json()) as { items: Array<{ uid: string }>; failed?: string } };
	};
	expect((await get('sim-echoBots-key')).body.items.map((lead) => lead.uid)).toEqual(['e1', 'e2']);
	expect(await get('wrong')).toEqual({ status: 401, body: { failed: 'nope' } });
	sim.injectFault('echoBots', { kind: 'status', status: 503, match: { chatbotId: 'b1' } });
	expect(await get('sim-echoBots-key')).toEqual({ status: 503, body: { failed: 'Service Unavailable' } });
});

test('registering is idempotent for the same plug-in, and refuses a clash', () => {
	expect(registerVendor(echo)).toBe('echoBots');
	expect(() => registerVendor({ ...echo })).toThrow(/already registered/);
	expect(() => registerVendor({ ...echo, name: 'other' })).toThrow(/Prefix \/echo\/v1 is already echoBots's/);
	expect(() => registerVendor({ name: 'half' } as VendorPlugin)).toThrow(/needs prefix/);
});
