import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { zonedDayStartMs } from '../nodes/shared/lead/time';
import { FIXTURES, type VendorFixture } from './fixtures';
import { captureWarnings, generate, leadIds, leadRequests, pollTrigger, useHostClock, useSimulator } from './helpers';

const sim = useSimulator();
const clock = useHostClock();
const names = (items: { json: IDataObject }[]) => items.map((item) => String(item.json.name));

const MIN = 60_000;
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

function add(fixture: VendorFixture, leads: Array<Record<string, unknown>>) {
	const stored = sim.addLeads(fixture.vendor, fixture.chatbotId, leads, { projectId: fixture.projectId });
	return stored;
}

/** Our id for stored records: vendor id, or (Chatof.ai) found by conversation in the emitted items. */
function idsOf(fixture: VendorFixture, stored: unknown[]): string[] | undefined {
	return fixture.idOf ? stored.map((record) => fixture.idOf!(record as never)) : undefined;
}

describe.each(FIXTURES.map((fixture) => [fixture.displayName, fixture] as [string, VendorFixture]))(
	'Chatbot Leads Trigger with %s',
	(_name, fixture) => {
		beforeEach(() => sim.addChatbot(fixture.vendor, fixture.chatbotId, { projectId: fixture.projectId }));

		test('first activation emits nothing, then each new lead once, oldest first', async () => {
			generate(sim, fixture, 30, { start: ago(600 * MIN), stepMs: 10 * MIN });
			const first = await pollTrigger(sim, fixture, {});
			expect(first.items).toHaveLength(0);
			expect(first.changed).toBe(true);

			const fresh = add(fixture, [
				{ createdAt: ago(2000), name: 'second' },
				{ createdAt: ago(5000), name: 'first' },
				{ createdAt: ago(1000), name: 'third' },
			]);
			const second = await pollTrigger(sim, fixture, first.staticData);
			expect(second.items.map((item) => item.json.name)).toEqual(['first', 'second', 'third']);
			const expected = idsOf(fixture, fresh);
			if (expected) expect(new Set(leadIds(second.items))).toEqual(new Set(expected));

			const third = await pollTrigger(sim, fixture, second.staticData);
			expect(third.items).toHaveLength(0);
		});

		test('leads sharing a timestamp with the last one seen are not lost', async () => {
			const at = ago(3 * MIN);
			add(fixture, [{ createdAt: at, name: 'a' }]);
			const first = await pollTrigger(sim, fixture, {});
			add(fixture, [{ createdAt: at, name: 'b' }, { createdAt: at, name: 'c' }]);
			const second = await pollTrigger(sim, fixture, first.staticData);
			expect(second.items.map((item) => item.json.name).sort()).toEqual(['b', 'c']);
			add(fixture, [{ createdAt: at, name: 'd' }]);
			const third = await pollTrigger(sim, fixture, second.staticData);
			expect(third.items.map((item) => item.json.name)).toEqual(['d']);
		});

		test('a late lead older than leads already emitted, within the look-back window, is emitted once', async () => {
			const first = await pollTrigger(sim, fixture, {});
			add(fixture, [{ createdAt: ago(MIN), name: 'recent' }]);
			const second = await pollTrigger(sim, fixture, first.staticData);
			expect(second.items.map((item) => item.json.name)).toEqual(['recent']);
			add(fixture, [{ createdAt: ago(20 * MIN), name: 'late' }]);
			const third = await pollTrigger(sim, fixture, second.staticData);
			expect(third.items.map((item) => item.json.name)).toEqual(['late']);
			const fourth = await pollTrigger(sim, fixture, third.staticData);
			expect(fourth.items).toHaveLength(0);
		});

		test('a lead that shows up later than the look-back window waits for the next recheck, then comes out once', async () => {
			const options = { lookBackMinutes: 10, recheckEveryMinutes: 30 };
			const first = await pollTrigger(sim, fixture, {}, { options });
			// Three leads: with fewer, the cursor reads from its floor (one might be future-dated) and would catch it at once.
			add(fixture, [3, 2, 1].map((n) => ({ createdAt: ago(n * MIN), name: `recent-${n}` })));
			const second = await pollTrigger(sim, fixture, first.staticData, { options });
			add(fixture, [{ createdAt: ago(30 * MIN), name: 'too-late-for-look-back' }]);
			const third = await pollTrigger(sim, fixture, second.staticData, { options });
			clock.advance(31 * MIN);
			const recheck = await pollTrigger(sim, fixture, third.staticData, { options });
			const after = await pollTrigger(sim, fixture, recheck.staticData, { options });
			expect(names(second.items)).toEqual(['recent-3', 'recent-2', 'recent-1']);
			expect(third.items).toHaveLength(0);
			expect(names(recheck.items)).toEqual(['too-late-for-look-back']);
			expect(after.items).toHaveLength(0);
		});

		test('pages in any order and a page-size cap lose nothing', async () => {
			sim.setOptions(fixture.vendor, { order: 'random', ...fixture.capOption(7) } as never);
			generate(sim, fixture, 40, { start: ago(100 * MIN), stepMs: 30_000 });
			const first = await pollTrigger(sim, fixture, {});
			const fresh = generate(sim, fixture, 33, { start: ago(20 * MIN), stepMs: 20_000 });
			const second = await pollTrigger(sim, fixture, first.staticData);
			expect(second.items).toHaveLength(fresh.length);
			expect(new Set(leadIds(second.items)).size).toBe(fresh.length);
			const times = second.items.map((item) => String(item.json.createdAt));
			expect([...times].sort()).toEqual(times);
		});

		test('a 500 halfway through paging fails the poll, keeps the cursor, and the next poll gets everything', async () => {
			sim.setOptions(fixture.vendor, fixture.capOption(5) as never);
			const first = await pollTrigger(sim, fixture, {});
			const fresh = generate(sim, fixture, 23, { start: ago(30 * MIN), stepMs: 30_000 });
			sim.injectFault(fixture.vendor, { kind: 'status', status: 500, times: 3, match: { page: 3 } });
			await expect(pollTrigger(sim, fixture, first.staticData)).rejects.toThrow(/server error \(HTTP 500\)/);
			const recovered = await pollTrigger(sim, fixture, first.staticData);
			expect(recovered.items).toHaveLength(fresh.length);
			const again = await pollTrigger(sim, fixture, recovered.staticData);
			expect(again.items).toHaveLength(0);
		});

		test('the cursor survives a restart: state reloaded from what n8n persisted', async () => {
			const first = await pollTrigger(sim, fixture, {});
			add(fixture, [{ createdAt: ago(2 * MIN), name: 'before-restart' }]);
			const second = await pollTrigger(sim, fixture, first.staticData);
			const persisted = JSON.parse(JSON.stringify(second.staticData)) as IDataObject;
			add(fixture, [{ createdAt: ago(MIN), name: 'during-downtime' }]);
			const afterRestart = await pollTrigger(sim, fixture, persisted);
			expect(second.items.map((item) => item.json.name)).toEqual(['before-restart']);
			expect(afterRestart.items.map((item) => item.json.name)).toEqual(['during-downtime']);
		});

		test('First Poll "since a date" emits the existing leads from that day (in the workflow\'s time zone), then only new ones', async () => {
			const day = new Date(Date.now() - 2 * 24 * 60 * MIN).toISOString().slice(0, 10);
			// The harness's workflow has no Timezone setting: n8n's default zone applies.
			const since = new Date(zonedDayStartMs(day, 'America/New_York'));
			generate(sim, fixture, 5, { start: new Date(since.getTime() - 60 * MIN), stepMs: 10 * MIN });
			const existing = generate(sim, fixture, 4, { start: new Date(since.getTime() + 60 * MIN), stepMs: 60 * MIN });
			const params = { firstPoll: 'emitSince', emitSince: day };
			const first = await pollTrigger(sim, fixture, {}, params);
			expect(first.items).toHaveLength(existing.length);
			const second = await pollTrigger(sim, fixture, first.staticData, params);
			expect(second.items).toHaveLength(0);
		});

		test('a lead whose time cannot be read is emitted once, with createdAt null and why, and logged once', async () => {
			const warnings = captureWarnings();
			const existingBroken = { ...sim.makeLead(fixture.vendor, { name: 'no-time-existing' }), [fixture.timeField ?? 'created_at']: 'garbled' };
			sim.addRawLeads(fixture.vendor, fixture.chatbotId, [existingBroken], { projectId: fixture.projectId });
			const first = await pollTrigger(sim, fixture, {});
			expect(first.items).toHaveLength(0);
			const broken = { ...sim.makeLead(fixture.vendor, { name: 'no-time' }), [fixture.timeField ?? 'created_at']: 'not a time' };
			sim.addRawLeads(fixture.vendor, fixture.chatbotId, [broken], { projectId: fixture.projectId });
			add(fixture, [{ createdAt: ago(MIN), name: 'fine' }]);
			const second = await pollTrigger(sim, fixture, first.staticData);
			const third = await pollTrigger(sim, fixture, second.staticData);
			expect(second.items.map((item) => item.json.name)).toEqual(['fine', 'no-time']);
			const untimed = second.items[1].json;
			expect(untimed.createdAt).toBeNull();
			expect(untimed.createdAtError).toContain('"not a time"');
			expect(third.items).toHaveLength(0);
			expect(warnings.filter((warning) => warning.includes('createdAt null'))).toHaveLength(1);
		});

		test('Fetch Test Event returns the most recent lead and changes no state', async () => {
			add(fixture, [
				{ createdAt: ago(90 * MIN), name: 'older' },
				{ createdAt: ago(5 * MIN), name: 'newest' },
				{ createdAt: ago(30 * MIN), name: 'middle' },
			]);
			const state = { 'node:Chatbot Leads Trigger': { marker: 1 } };
			const result = await pollTrigger(sim, fixture, state, {}, 'manual');
			expect(result.items.map((item) => item.json.name)).toEqual(['newest']);
			expect(result.staticData).toEqual(state);
		});

		test('Fetch Test Event reads one page, however many leads the chatbot has, newest first or oldest first', async () => {
			generate(sim, fixture, 3000, { start: ago(3000 * 20 * MIN), stepMs: 20 * MIN });
			add(fixture, [{ createdAt: ago(MIN), name: 'newest' }]);
			const newestFirst = await pollTrigger(sim, fixture, {}, {}, 'manual');
			expect(names(newestFirst.items)).toEqual(['newest']);
			expect(leadRequests(sim, fixture).length).toBeLessThanOrEqual(2);
			sim.setOptions(fixture.vendor, { order: 'asc' } as never);
			sim.clearRequests();
			const oldestFirst = await pollTrigger(sim, fixture, {}, {}, 'manual');
			expect(oldestFirst.items).toHaveLength(1);
			expect(leadRequests(sim, fixture).length).toBeLessThanOrEqual(2);
		});

		test('Fetch Test Event on a chatbot without leads says so clearly', async () => {
			await expect(pollTrigger(sim, fixture, {}, {}, 'manual')).rejects.toThrow(/has no leads yet/);
		});

		test('the stored state keeps ids for the recheck period only, whatever the lead count', async () => {
			generate(sim, fixture, 400, { start: ago(400 * 5 * MIN), stepMs: 5 * MIN });
			generate(sim, fixture, 30, { start: ago(30 * MIN), stepMs: MIN });
			const kept = async (options: INodeParameters) => {
				let { staticData } = await pollTrigger(sim, fixture, {}, { options });
				({ staticData } = await pollTrigger(sim, fixture, staticData, { options }));
				const cursor = (staticData['node:Chatbot Leads Trigger'] as IDataObject).leadCursor as IDataObject;
				const entry = Object.values(cursor.chatbots as IDataObject)[0] as IDataObject;
				return Object.values(entry.seen as IDataObject).join('').length / 11;
			};
			// 33 hours of leads: all of them are inside the default 48-hour recheck period...
			expect(await kept({})).toBeGreaterThanOrEqual(400);
			// ...and with rechecks off, only the look-back window (whole hours) is kept.
			const short = await kept({ recheckHours: 0, lookBackMinutes: 60 });
			expect(short).toBeGreaterThanOrEqual(30 + 12);
			expect(short).toBeLessThanOrEqual(30 + 25);
		});

		test('once it has a cursor, a poll with nothing new costs one request where the order allows', async () => {
			sim.setOptions(fixture.vendor, { order: 'desc' } as never);
			// Fewer leads inside the 60-minute window than fit on one page.
			generate(sim, fixture, 3 * fixture.pageSize, { start: ago(3 * fixture.pageSize * 5 * MIN), stepMs: 5 * MIN });
			let { staticData } = await pollTrigger(sim, fixture, {});
			({ staticData } = await pollTrigger(sim, fixture, staticData));
			sim.clearRequests();
			await pollTrigger(sim, fixture, staticData);
			expect(leadRequests(sim, fixture)).toHaveLength(1);
		});

		test('oldest-first servers: a poll resumes where the window began, and a late burst neither is lost nor forces a full rescan', async () => {
			sim.setOptions(fixture.vendor, { order: 'asc', ...fixture.capOption(10) } as never);
			generate(sim, fixture, 300, { start: ago(300 * 5 * MIN), stepMs: 5 * MIN });
			let { staticData } = await pollTrigger(sim, fixture, {});
			sim.addLeads(fixture.vendor, fixture.chatbotId, [{ createdAt: ago(10_000), name: 'newest' }], { projectId: fixture.projectId });
			({ staticData } = await pollTrigger(sim, fixture, staticData));
			const burst = generate(sim, fixture, 25, { start: ago(40 * MIN), stepMs: 20_000 });
			sim.clearRequests();
			const result = await pollTrigger(sim, fixture, staticData);
			expect(result.items).toHaveLength(burst.length);
			// The window holds about 12 old leads plus the burst: a handful of 10-lead pages, not all 30+.
			expect(leadRequests(sim, fixture).length).toBeLessThanOrEqual(6);
		});
	},
);
