/**
 * What the Chatbot Leads Trigger costs per poll, and how big its stored state gets, per vendor and
 * server order: requests for the activation poll, an idle poll, a recheck and a poll with one new
 * lead, on top of three days of existing leads; and the bytes of `leadCursor` at 10, 100 and 1,000
 * leads a day. Prints figures beside 0.1.0's; asserts nothing (not a test).
 * `npm run bench:trigger`
 */
import type { IDataObject } from 'n8n-workflow';

import { ChatbotLeadsTrigger } from '../nodes/ChatbotLeadsTrigger/ChatbotLeadsTrigger.node';
import { FIXTURES, type VendorFixture } from '../test/fixtures';
import { ALL_CREDENTIALS } from '../test/fixtures';
import { pollNode } from '../test/harness/n8n';
import type { Order, Simulator } from '../test/simulator';
import { startLocalSimulator } from './simulator';

const DAY_MS = 86_400_000;
const ORDERS: Order[] = ['desc', 'asc', 'random'];
const RATES = [10, 100, 1000];
const out = (line: string) => process.stdout.write(`${line}\n`);

/**
 * 0.1.0's figures from this same script (run on commit fc2a850, 2026-11-30): it kept only the
 * 60-minute look-back window and had no recheck. Requests at 1,000 leads a day.
 */
const BEFORE = {
	requests: {
		chatbase: { desc: [1, 1, 1], asc: [17, 2, 2], random: [17, 17, 17] },
		chatzuri: { desc: [1, 1, 1], asc: [17, 2, 2], random: [17, 17, 17] },
		chatofAi: { desc: [1, 1, 1], asc: [17, 2, 2], random: [17, 17, 17] },
		robofy: { desc: [3, 3, 3], asc: [150, 3, 4], random: [150, 150, 151] },
	} as Record<string, Record<string, number[]>>,
	stateBytes: {
		chatbase: [112, 212, 1178],
		chatzuri: [114, 194, 975],
		chatofAi: [134, 326, 2102],
		robofy: [114, 213, 1179],
	} as Record<string, number[]>,
};

/** The host clock as the trigger sees it, moved forward to make a recheck due. */
let clockOffset = 0;
const realNow = Date.now.bind(Date);
Date.now = () => realNow() + clockOffset;

function seed(sim: Simulator, fixture: VendorFixture, perDay: number) {
	const count = 3 * perDay;
	sim.generateLeads(fixture.vendor, fixture.chatbotId, count, {
		start: new Date(Date.now() - 3 * DAY_MS),
		stepMs: DAY_MS / perDay,
		projectId: fixture.projectId,
	});
}

function trigger(sim: Simulator, fixture: VendorFixture) {
	let staticData: IDataObject = {};
	return {
		async poll() {
			sim.clearRequests();
			const result = await pollNode({
				nodeType: new ChatbotLeadsTrigger(),
				credentialTypes: ALL_CREDENTIALS,
				parameters: fixture.parameters,
				credentials: { [fixture.credentialType]: { apiKey: sim.keys[fixture.vendor], baseUrl: sim.baseUrls[fixture.vendor] } },
				staticData,
			});
			staticData = result.staticData;
			return { requests: sim.requestCount(fixture.vendor), emitted: result.items?.[0]?.length ?? 0 };
		},
		stateBytes() {
			const node = staticData['node:Chatbot Leads Trigger'] as IDataObject | undefined;
			return Buffer.byteLength(JSON.stringify(node?.leadCursor ?? null));
		},
	};
}

async function requestsTable(sim: Simulator) {
	out('Requests per trigger poll: 3,000 existing leads (1,000 a day), defaults (look-back 60 min, recheck 48 h every 60 min).');
	out('"idle" is the second idle poll after activation (the first may read the whole window once to find where to resume).');
	out('vendor     order   activation  idle  recheck  1 new | 0.1.0: activation  idle  1 new');
	for (const fixture of FIXTURES) {
		for (const order of ORDERS) {
			sim.reset();
			clockOffset = 0;
			sim.setOptions(fixture.vendor, { order } as never);
			seed(sim, fixture, 1000);
			const t = trigger(sim, fixture);
			const activation = await t.poll();
			clockOffset += 60_000;
			await t.poll();
			clockOffset += 60_000;
			const idle = await t.poll();
			clockOffset += 61 * 60_000;
			const recheck = await t.poll();
			clockOffset += 60_000;
			sim.addLeads(fixture.vendor, fixture.chatbotId, [{ name: 'one new', createdAt: new Date(Date.now() - 1000).toISOString() }], { projectId: fixture.projectId });
			const one = await t.poll();
			const before = BEFORE.requests[fixture.vendor]?.[order] ?? [];
			out(
				`${fixture.vendor.padEnd(10)} ${order.padEnd(7)} ${String(activation.requests).padStart(10)} ${String(idle.requests).padStart(5)} ` +
					`${String(recheck.requests).padStart(8)} ${String(one.requests).padStart(6)} |        ${before.map((n) => String(n).padStart(5)).join(' ')}` +
					(one.emitted === 1 ? '' : `  (emitted ${one.emitted}, expected 1)`),
			);
		}
	}
}

async function stateTable(sim: Simulator) {
	out('');
	out('Bytes of leadCursor (JSON) after the activation poll and a recheck, 3 days of leads, defaults');
	out(`vendor     ${RATES.map((rate) => `${rate}/day`.padStart(9)).join(' ')} | 0.1.0: ${RATES.map((rate) => `${rate}/day`.padStart(9)).join(' ')}`);
	for (const fixture of FIXTURES) {
		const sizes: number[] = [];
		for (const perDay of RATES) {
			sim.reset();
			clockOffset = 0;
			seed(sim, fixture, perDay);
			const t = trigger(sim, fixture);
			await t.poll();
			clockOffset += 61 * 60_000;
			await t.poll();
			sizes.push(t.stateBytes());
		}
		out(
			`${fixture.vendor.padEnd(10)} ${sizes.map((n) => String(n).padStart(9)).join(' ')} |        ${(BEFORE.stateBytes[fixture.vendor] ?? []).map((n) => String(n).padStart(9)).join(' ')}`,
		);
	}
}

async function main() {
	const sim = await startLocalSimulator();
	try {
		await requestsTable(sim);
		await stateTable(sim);
	} finally {
		await sim.stop();
	}
}

main().catch((error: unknown) => {
	process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
	process.exitCode = 1;
});
