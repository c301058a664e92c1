import type { IDataObject } from 'n8n-workflow';

import { FIXTURES, type VendorFixture } from './fixtures';
import { pollTrigger, useHostClock, useSimulator } from './helpers';
import { seededRandom } from './random';
import type { Fault } from './simulator';

const POLLS = 200;
const MIN = 60_000;
const HOUR = 60 * MIN;
const sim = useSimulator();
const clock = useHostClock();
/** Zone-less local times from UTC-12 to UTC+14, and clocks up to 6 hours off. */
const VENDOR_CLOCKS_MIN = [-12 * 60, -8 * 60, -6 * 60, -3 * 60, 2 * 60, 5.5 * 60, 6 * 60, 9 * 60, 14 * 60];

interface RunTally {
	vendorClockMinutes: number;
	polls: number;
	lateLeads: number;
	failedPolls: number;
	arrived: number;
	emitted: number;
}

/** A fault on page 1, 2 or 3 of the next poll: some are retried away, some fail the poll. */
function randomFault(rand: ReturnType<typeof seededRandom>, vendor: string): Fault {
	const match = { page: rand.int(1, 3) };
	const faults: Fault[] = [
		{ kind: 'status', status: 500, times: 3, match },
		{ kind: 'status', status: 500, match },
		{ kind: 'status', status: 429, headers: { 'Retry-After': '0' }, match },
		{ kind: 'html', status: 502, times: 3, match },
		{ kind: 'malformed', match },
		{ kind: 'truncated', match },
		{ kind: 'truncated', times: 3, match },
		{ kind: 'reset', match },
		{ kind: 'empty', match },
		{ kind: 'shapeDrift', match },
		{ kind: vendor === 'robofy' ? 'repeatToken' : 'repeatPage', match },
	];
	return rand.pick(faults);
}

/**
 * Random arrivals (ties, leads up to 48 hours late, bursts) by a vendor whose clock or zone is off,
 * random faults, and host time passing between polls so rechecks run; returns names arrived and
 * emitted. Leads that existed before activation must never come out.
 */
async function randomRun(fixture: VendorFixture, seed: number): Promise<RunTally & { lost: string[]; repeated: string[]; unexpected: string[] }> {
	const rand = seededRandom(seed);
	// Start at a seeded minute of the hour: the cursor groups leads by hour, so where a run falls
	// in the hour is part of the scenario, and the same seed must give the same run.
	clock.advance(rand.int(0, 59) * MIN - (Date.now() % HOUR));
	const vendorClockMinutes = rand.pick(VENDOR_CLOCKS_MIN);
	sim.setOptions(fixture.vendor, { order: rand.pick(['desc', 'asc', 'random'] as const), clockOffsetMinutes: vendorClockMinutes, ...fixture.capOption(rand.int(6, 15)) } as never);
	sim.generateLeads(fixture.vendor, fixture.chatbotId, 20, { start: new Date(Date.now() - 200 * MIN), stepMs: 5 * MIN, projectId: fixture.projectId });

	const arrived: string[] = [];
	const emitted: string[] = [];
	const times: string[] = [];
	let staticData: IDataObject = (await pollTrigger(sim, fixture, {})).staticData;
	let failedPolls = 0;
	let lateLeads = 0;

	for (let poll = 0; poll < POLLS; poll++) {
		clock.advance(rand.int(1, 10) * MIN);
		const burst = rand.chance(0.3) ? 0 : rand.int(1, rand.chance(0.1) ? 12 : 3);
		for (let i = 0; i < burst; i++) {
			// A tie shares the time of one of the last arrivals (the leads a poll just saw).
			const tie = times.length > 0 && rand.chance(0.25);
			const late = rand.chance(0.15);
			// True capture instants; the simulator writes them by the vendor's clock.
			const lateBy = rand.chance(0.5) ? rand.int(1, 50) * MIN : rand.int(1, 47 * 60 + 59) * MIN;
			const createdAt = tie ? rand.pick(times.slice(-10)) : new Date(Date.now() - (late ? lateBy : rand.int(0, 20_000))).toISOString();
			if (late && !tie) lateLeads++;
			const name = `s${seed}-p${poll}-${i}`;
			sim.addLeads(fixture.vendor, fixture.chatbotId, [{ createdAt, name }], { projectId: fixture.projectId });
			arrived.push(name);
			if (!late) times.push(createdAt);
		}
		if (rand.chance(0.12)) sim.injectFault(fixture.vendor, randomFault(rand, fixture.vendor));
		try {
			const result = await pollTrigger(sim, fixture, staticData);
			emitted.push(...result.items.map((item) => String(item.json.name)));
			staticData = result.staticData;
		} catch {
			failedPolls++;
		}
		sim.clearFaults();
	}
	// Last, fault-free polls: what the final failed polls left behind, and the last recheck.
	for (let i = 0; i < 2; i++) {
		clock.advance(HOUR);
		const last = await pollTrigger(sim, fixture, staticData);
		emitted.push(...last.items.map((item) => String(item.json.name)));
		staticData = last.staticData;
	}

	const counts = new Map<string, number>();
	for (const name of emitted) counts.set(name, (counts.get(name) ?? 0) + 1);
	return {
		vendorClockMinutes,
		polls: POLLS + 3,
		lateLeads,
		failedPolls,
		arrived: arrived.length,
		emitted: emitted.length,
		lost: arrived.filter((name) => !counts.has(name)),
		repeated: [...counts].filter(([, count]) => count > 1).map(([name]) => name),
		unexpected: [...counts.keys()].filter((name) => !arrived.includes(name)),
	};
}

describe.each(FIXTURES.map((fixture) => [fixture.displayName, fixture] as [string, VendorFixture]))(
	'randomized polls with %s',
	(_name, fixture) => {
		test(`${POLLS} polls with a shifted vendor clock, late leads, random arrivals and faults emit every arrived lead exactly once`, async () => {
			// 1000 + the vendor's index; but seed 1004 draws no fault that fails a poll (they land on pages
			// its polls never read), so vendors after the four built-ins (test/vendors/) start at 1005.
			const index = FIXTURES.indexOf(fixture);
			const seed = 1000 + (index >= 4 ? index + 1 : index);
			const tally = await randomRun(fixture, seed);
			expect(tally.lost).toEqual([]);
			expect(tally.repeated).toEqual([]);
			expect(tally.unexpected).toEqual([]);
			expect(tally.lateLeads).toBeGreaterThan(20);
			expect(tally.emitted).toBe(tally.arrived);
			expect(tally.arrived).toBeGreaterThan(200);
			expect(tally.failedPolls).toBeGreaterThan(0);
			// The figures the closing notes quote.
			process.stdout.write(
				`${fixture.vendor}: ${JSON.stringify({ ...tally, lost: tally.lost.length, repeated: tally.repeated.length, unexpected: tally.unexpected.length })}\n`,
			);
		});
	},
);
