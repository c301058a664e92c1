import type { IDataObject } from 'n8n-workflow';

import { FIXTURES, type VendorFixture } from './fixtures';
import { pollTrigger, useSimulator } from './helpers';
import { seededRandom } from './random';
import type { Fault } from './simulator';

const POLLS = 200;
const MIN = 60_000;
const sim = useSimulator();

interface RunTally {
	polls: number;
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

/** Random arrivals (ties, late leads, bursts), random faults; returns names arrived and emitted. */
async function randomRun(fixture: VendorFixture, seed: number): Promise<RunTally & { lost: string[]; repeated: string[] }> {
	const rand = seededRandom(seed);
	sim.setOptions(fixture.vendor, { order: rand.pick(['desc', 'asc', 'random'] as const), ...fixture.capOption(rand.int(6, 15)) } as never);
	sim.generateLeads(fixture.vendor, fixture.chatbotId, 20, { start: new Date(Date.now() - 200 * MIN), stepMs: 5 * MIN, projectId: fixture.projectId });

	const arrived: string[] = [];
	const emitted: string[] = [];
	const times: string[] = [];
	let staticData: IDataObject = (await pollTrigger(sim, fixture, {})).staticData;
	let failedPolls = 0;

	for (let poll = 0; poll < POLLS; poll++) {
		const burst = rand.chance(0.3) ? 0 : rand.int(1, rand.chance(0.1) ? 12 : 3);
		for (let i = 0; i < burst; i++) {
			const tie = times.length > 0 && rand.chance(0.25);
			const late = rand.chance(0.15);
			const createdAt = tie ? rand.pick(times) : new Date(Date.now() - (late ? rand.int(1, 40) * MIN : rand.int(0, 20_000))).toISOString();
			const name = `s${seed}-p${poll}-${i}`;
			sim.addLeads(fixture.vendor, fixture.chatbotId, [{ createdAt, name }], { projectId: fixture.projectId });
			arrived.push(name);
			times.push(createdAt);
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
	// A last, fault-free poll collects whatever the final failed polls left behind.
	const last = await pollTrigger(sim, fixture, staticData);
	emitted.push(...last.items.map((item) => String(item.json.name)));

	const counts = new Map<string, number>();
	for (const name of emitted) counts.set(name, (counts.get(name) ?? 0) + 1);
	return {
		polls: POLLS + 2,
		failedPolls,
		arrived: arrived.length,
		emitted: emitted.length,
		lost: arrived.filter((name) => !counts.has(name)),
		repeated: [...counts].filter(([, count]) => count > 1).map(([name]) => name),
	};
}

describe.each(FIXTURES.map((fixture) => [fixture.displayName, fixture] as [string, VendorFixture]))(
	'randomized polls with %s',
	(_name, fixture) => {
		test(`${POLLS} polls with random arrivals and faults emit every arrived lead exactly once`, async () => {
			const seed = 1000 + FIXTURES.indexOf(fixture);
			const tally = await randomRun(fixture, seed);
			expect(tally.lost).toEqual([]);
			expect(tally.repeated).toEqual([]);
			expect(tally.emitted).toBe(tally.arrived);
			expect(tally.arrived).toBeGreaterThan(200);
			expect(tally.failedPolls).toBeGreaterThan(0);
			// The figures the closing notes quote.
			process.stdout.write(`${fixture.vendor}: ${JSON.stringify({ ...tally, lost: tally.lost.length, repeated: tally.repeated.length })}\n`);
		});
	},
);
