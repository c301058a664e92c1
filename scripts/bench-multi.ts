/**
 * What a Chatbot Leads Trigger watching many chatbots costs per poll: requests and wall time of
 * an idle poll of 50 chatbots with 100 ms of simulator latency on every request, at Concurrent
 * Requests 1, 4 (the default) and 10; the activation poll, a poll whose list of chatbots is
 * stale (All), the hourly recheck, and the stored state. Runs the trigger through n8n-core's real PollContext
 * (test/harness). Prints figures; asserts nothing (not a test).
 * `npm run bench:multi` (options: --chatbots 50 --latency 100 --vendors chatbase,robofy)
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { ChatbotLeadsTrigger } from '../nodes/ChatbotLeadsTrigger/ChatbotLeadsTrigger.node';
import { DEFAULT_LIST_EVERY_MS } from '../nodes/shared/parameters/chatbots';
import { ALL_CREDENTIALS, FIXTURES, type VendorFixture } from '../test/fixtures';
import { pollNode } from '../test/harness/n8n';
import type { Simulator } from '../test/simulator';
import { startLocalSimulator } from './simulator';

const HOUR_MS = 3_600_000;
const out = (line: string) => process.stdout.write(`${line}\n`);

function option(name: string, fallback: string): string {
	const index = process.argv.indexOf(`--${name}`);
	return index >= 0 && process.argv[index + 1] ? process.argv[index + 1] : fallback;
}

const CHATBOTS = Number(option('chatbots', '50'));
const LATENCY_MS = Number(option('latency', '100'));
const VENDORS = option('vendors', 'chatbase,chatzuri,chatofAi,robofy').split(',');
const CONCURRENCIES = [1, 4, 10];
/** Robofy: the chatbots spread over this many projects (All lists each project's agents). */
const ROBOFY_PROJECTS = 5;

/** The host clock as the trigger sees it, moved forward between polls. */
let clockOffset = 0;
const realNow = Date.now.bind(Date);
Date.now = () => realNow() + clockOffset;

const chatbotId = (i: number) => `bench-bot-${String(i).padStart(3, '0')}`;
const projectOf = (fixture: VendorFixture, i: number) => (fixture.projectId === undefined ? undefined : 700 + (i % ROBOFY_PROJECTS));

/**
 * Chatbots as an account has them: a few busy (12 leads an hour), most quiet (between 3 and 50
 * leads over two days), some without leads; all in newest-first order (the simulator's default).
 */
function seed(sim: Simulator, fixture: VendorFixture) {
	for (let i = 0; i < CHATBOTS; i++) {
		const projectId = projectOf(fixture, i);
		sim.addChatbot(fixture.vendor, chatbotId(i), { name: `Bench chatbot ${i}`, projectId });
		const count = i % 10 === 0 ? 600 : i % 7 === 0 ? 0 : 3 + ((i * 17) % 48);
		if (count === 0) continue;
		const stepMs = i % 10 === 0 ? 5 * 60_000 : Math.floor((48 * HOUR_MS) / count);
		sim.generateLeads(fixture.vendor, chatbotId(i), count, { start: new Date(Date.now() - count * stepMs), stepMs, projectId });
	}
}

/** Chatof.ai cannot list its chatbots: Several by ID there, All elsewhere. */
function chatbotsParameters(fixture: VendorFixture): INodeParameters {
	if (fixture.vendor === 'chatofAi') {
		return { chatbotScope: 'list', chatbotIds: Array.from({ length: CHATBOTS }, (_, i) => chatbotId(i)).join(',') };
	}
	return { chatbotScope: 'all' };
}

function trigger(sim: Simulator, fixture: VendorFixture, concurrency: number) {
	let staticData: IDataObject = {};
	return {
		async poll() {
			sim.clearRequests();
			const started = realNow();
			const result = await pollNode({
				nodeType: new ChatbotLeadsTrigger(),
				credentialTypes: ALL_CREDENTIALS,
				parameters: { ...fixture.parameters, ...chatbotsParameters(fixture), options: { concurrency } },
				credentials: { [fixture.credentialType]: { apiKey: sim.keys[fixture.vendor], baseUrl: sim.baseUrls[fixture.vendor] } },
				staticData,
			});
			const ms = realNow() - started;
			staticData = result.staticData;
			const requests = sim.requests.filter((request) => request.vendor === fixture.vendor);
			const lists = requests.filter((request) => !/leads/.test(request.path)).length;
			return { ms, requests: requests.length, lists, emitted: result.items?.[0]?.length ?? 0 };
		},
		stateBytes() {
			const node = staticData['node:Chatbot Leads Trigger'] as IDataObject | undefined;
			return Buffer.byteLength(JSON.stringify(node?.leadCursor ?? null));
		},
	};
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`.padStart(8);

async function benchVendor(sim: Simulator, fixture: VendorFixture) {
	for (const concurrency of CONCURRENCIES) {
		sim.reset();
		clockOffset = 0;
		seed(sim, fixture);
		sim.setOptions(fixture.vendor, { latencyMs: LATENCY_MS } as never);
		const t = trigger(sim, fixture, concurrency);
		const activation = await t.poll();
		clockOffset += 60_000;
		const idle1 = await t.poll();
		clockOffset += 60_000;
		const idle = await t.poll();
		clockOffset += DEFAULT_LIST_EVERY_MS;
		const relist = await t.poll();
		clockOffset += HOUR_MS;
		const recheck = await t.poll();
		const emitted = activation.emitted + idle1.emitted + idle.emitted + relist.emitted + recheck.emitted;
		out(
			`${fixture.vendor.padEnd(9)} ${String(concurrency).padStart(11)} | ${seconds(activation.ms)} ${String(activation.requests).padStart(5)} | ` +
				`${seconds(idle.ms)} ${String(idle.requests - idle.lists).padStart(5)} ${String(idle.lists).padStart(5)} | ` +
				`${seconds(relist.ms)} ${String(relist.requests - relist.lists).padStart(5)} ${String(relist.lists).padStart(5)} | ` +
				`${seconds(recheck.ms)} ${String(recheck.requests).padStart(5)} | ${String(t.stateBytes()).padStart(7)}` +
				(emitted === 0 ? '' : `  (emitted ${emitted}, expected 0)`),
		);
	}
}

async function main() {
	const sim = await startLocalSimulator();
	try {
		out(`Chatbot Leads Trigger over ${CHATBOTS} chatbots, ${LATENCY_MS} ms simulator latency per request, Node ${process.version}.`);
		out('Chatbase, Chatzuri, Robofy: Chatbots = All (Robofy: 5 projects); Chatof.ai: Several by ID (it has no list).');
		out('Leads: every 10th chatbot busy (600, one every 5 min), every 7th none, the rest 3-50 over two days.');
		out('"idle": the third poll (nothing new, list cached); "stale list": an idle poll once the list is older than');
		out(`${DEFAULT_LIST_EVERY_MS / 60_000} minutes; "recheck": the hourly poll that also reads each chatbot's recheck period`);
		out('(every chatbot at once here, as they started together; list included). Requests are per poll.');
		out('');
		out('vendor    concurrency | activation   req |     idle   req lists | stale list req lists |  recheck   req | state B');
		for (const vendor of VENDORS) {
			const fixture = FIXTURES.find((f) => f.vendor === vendor);
			if (!fixture) throw new Error(`unknown vendor ${vendor}`);
			await benchVendor(sim, fixture);
		}
	} finally {
		await sim.stop();
	}
}

main().catch((error: unknown) => {
	process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
	process.exitCode = 1;
});
