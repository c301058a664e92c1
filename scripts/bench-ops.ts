/**
 * Issue 19's figures, printed (not a test): how many polls a 5,000-lead backlog on a slow vendor
 * takes to drain under a short poll budget, and how big the trigger's whole static data (node
 * and global) is with 50 chatbots at 1,000 leads a day. Issue 23's: how long Fetch Test Event
 * takes on a chatbot with 30 days of leads at 1,000 a day on that slow vendor. Issue 20's: what
 * Include Conversation costs for 100 leads of one day. Runs the trigger through n8n-core's real
 * PollContext (test/harness) against the local simulator.
 * `npm run bench:ops` (options: --part backlog|state|sample|conversations, --backlog 5000 --latency 1000 --budget 36000 --chatbots 50; 36 s is the durable scheduler's budget)
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { ChatbotLeads } from '../nodes/ChatbotLeads/ChatbotLeads.node';
import { ChatbotLeadsTrigger } from '../nodes/ChatbotLeadsTrigger/ChatbotLeadsTrigger.node';
import { ALL_CREDENTIALS, FIXTURES, type VendorFixture } from '../test/fixtures';
import { executeNode, pollNode } from '../test/harness/n8n';
import type { Simulator } from '../test/simulator';
import { startLocalSimulator } from './simulator';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const out = (line: string) => process.stdout.write(`${line}\n`);

function option(name: string, fallback: string): number {
	const index = process.argv.indexOf(`--${name}`);
	return Number(index >= 0 && process.argv[index + 1] ? process.argv[index + 1] : fallback);
}

const BACKLOG = option('backlog', '5000');
const LATENCY_MS = option('latency', '1000');
const BUDGET_MS = option('budget', '36000');
const CHATBOTS = option('chatbots', '50');
/** --part backlog, state or sample runs only that part. */
const PART = process.argv.includes('--part') ? process.argv[process.argv.indexOf('--part') + 1] : 'all';

let clockOffset = 0;
const realNow = Date.now.bind(Date);
Date.now = () => realNow() + clockOffset;

function trigger(sim: Simulator, fixture: VendorFixture, parameters: INodeParameters, budgetMs?: number) {
	let staticData: IDataObject = {};
	return {
		async poll(mode: 'trigger' | 'manual' = 'trigger') {
			const result = await pollNode({
				nodeType: new ChatbotLeadsTrigger(),
				credentialTypes: ALL_CREDENTIALS,
				parameters: { ...fixture.parameters, ...parameters },
				credentials: { [fixture.credentialType]: { apiKey: sim.keys[fixture.vendor], baseUrl: sim.baseUrls[fixture.vendor] } },
				staticData,
				pollBudgetMs: budgetMs,
				mode,
			});
			staticData = result.staticData;
			return result.items?.[0]?.length ?? 0;
		},
		bytes() {
			const node = Buffer.byteLength(JSON.stringify(staticData['node:Chatbot Leads Trigger'] ?? null));
			const global = Buffer.byteLength(JSON.stringify(staticData.global ?? null));
			return { node, global };
		},
	};
}

/** A backlog captured while n8n was down, drained by polls with a short budget on a slow vendor. */
async function backlog(sim: Simulator, fixture: VendorFixture) {
	sim.reset();
	clockOffset = 0;
	sim.addChatbot(fixture.vendor, fixture.chatbotId, { projectId: fixture.projectId });
	const t = trigger(sim, fixture, {}, BUDGET_MS);
	await t.poll();
	clockOffset += 3 * 24 * HOUR_MS;
	sim.generateLeads(fixture.vendor, fixture.chatbotId, BACKLOG, { start: new Date(Date.now() - 3 * 24 * HOUR_MS), stepMs: Math.floor((3 * 24 * HOUR_MS) / BACKLOG), projectId: fixture.projectId });
	sim.setOptions(fixture.vendor, { latencyMs: LATENCY_MS } as never);
	let emitted = 0;
	let polls = 0;
	const started = realNow();
	while (emitted < BACKLOG && polls < 200) {
		emitted += await t.poll();
		polls++;
		clockOffset += MINUTE_MS;
	}
	out(`${fixture.vendor.padEnd(9)} | ${String(BACKLOG).padStart(7)} | ${String(emitted).padStart(7)} | ${String(polls).padStart(5)} | ${((realNow() - started) / 1000).toFixed(1).padStart(6)} s`);
}

/** 50 chatbots at 1,000 leads a day: the static data after activation, an hour of polls and a recheck. */
async function stateSize(sim: Simulator, fixture: VendorFixture) {
	sim.reset();
	clockOffset = 0;
	const ids = Array.from({ length: CHATBOTS }, (_, i) => `size-bot-${i}`);
	const stepMs = Math.floor((24 * HOUR_MS) / 1000);
	for (const id of ids) sim.generateLeads(fixture.vendor, id, 3000, { start: new Date(Date.now() - 3000 * stepMs), stepMs, projectId: fixture.projectId });
	const t = trigger(sim, fixture, { chatbotScope: 'list', chatbotIds: ids.join(',') });
	await t.poll();
	const afterActivation = t.bytes();
	for (let minute = 0; minute < 61; minute++) {
		clockOffset += MINUTE_MS;
		for (const id of ids) if (minute % 2 === 0) sim.generateLeads(fixture.vendor, id, 1, { start: new Date(Date.now() - 1000), projectId: fixture.projectId });
		await t.poll();
	}
	const later = t.bytes();
	const kb = (n: number) => `${(n / 1024).toFixed(0)} KB`.padStart(8);
	out(`${fixture.vendor.padEnd(9)} | ${kb(afterActivation.node)} ${kb(afterActivation.global)} | ${kb(later.node)} ${kb(later.global)} | ${kb(later.node + later.global)} (${later.node + later.global} bytes)`);
}

/** Fetch Test Event on a chatbot with 30 days of leads at 1,000 a day, on the slow vendor. */
async function sample(sim: Simulator, fixture: VendorFixture) {
	sim.reset();
	clockOffset = 0;
	const stepMs = Math.floor((24 * HOUR_MS) / 1000);
	sim.generateLeads(fixture.vendor, fixture.chatbotId, 30_000, { start: new Date(Date.now() - 30_000 * stepMs), stepMs, projectId: fixture.projectId });
	sim.setOptions(fixture.vendor, { latencyMs: LATENCY_MS } as never);
	const started = realNow();
	const items = await trigger(sim, fixture, {}).poll('manual');
	const requests = sim.requests.filter((request) => /leads/.test(request.path)).length;
	out(`${fixture.vendor.padEnd(9)} | ${String(items).padStart(5)} | ${String(requests).padStart(8)} | ${((realNow() - started) / 1000).toFixed(1).padStart(6)} s`);
}

/** The Chatbot Leads node on 100 leads of one day (each with a conversation): requests without and with Include Conversation. */
async function conversationCost(sim: Simulator, fixture: VendorFixture) {
	sim.reset();
	const day = new Date(Date.now() - 2 * 24 * HOUR_MS).toISOString().slice(0, 10);
	for (let i = 0; i < 100; i++) {
		const at = Date.parse(`${day}T08:00:00Z`) + i * 5 * MINUTE_MS;
		const sessionId = `sess-${i}`;
		sim.addConversation(fixture.vendor, fixture.chatbotId, { id: fixture.vendor === 'robofy' ? sessionId : undefined, createdAt: new Date(at - MINUTE_MS), customer: `v${i}@example.com` }, { projectId: fixture.projectId });
		sim.addLeads(fixture.vendor, fixture.chatbotId, [{ email: `v${i}@example.com`, sessionId, createdAt: new Date(at) }], { projectId: fixture.projectId });
	}
	const run = async (includeConversation: boolean) => {
		sim.clearRequests();
		const [items] = await executeNode({
			nodeType: new ChatbotLeads(),
			credentialTypes: ALL_CREDENTIALS,
			parameters: { ...fixture.parameters, returnAll: true, options: { includeConversation } },
			credentials: { [fixture.credentialType]: { apiKey: sim.keys[fixture.vendor], baseUrl: sim.baseUrls[fixture.vendor] } },
			timezone: 'UTC',
		});
		const found = (items ?? []).filter((item) => item.json.conversation).length;
		return { requests: sim.requests.length, found };
	};
	const without = await run(false);
	const withIt = await run(true);
	out(`${fixture.vendor.padEnd(9)} | ${String(without.requests).padStart(7)} | ${String(withIt.requests).padStart(4)} | ${String(withIt.found).padStart(5)}`);
}

async function main() {
	const sim = await startLocalSimulator();
	try {
		if (PART === 'all' || PART === 'backlog') {
			out(`Backlog: ${BACKLOG} leads captured over 3 days while n8n was down; ${LATENCY_MS} ms per request; poll budget ${BUDGET_MS} ms; Node ${process.version}.`);
			out('vendor    | backlog | emitted | polls |   wall');
			for (const fixture of FIXTURES) await backlog(sim, fixture);
			out('');
		}
		if (PART === 'all' || PART === 'sample') {
			out(`Fetch Test Event: one chatbot with 30,000 leads (30 days at 1,000 a day); ${LATENCY_MS} ms per request.`);
			out('vendor    | items | requests |   wall');
			for (const fixture of FIXTURES) await sample(sim, fixture);
			out('');
		}
		if (PART === 'all' || PART === 'conversations') {
			out('Include Conversation: the Chatbot Leads node on 100 leads of one day, each with its conversation.');
			out('vendor    | without | with | found');
			for (const fixture of FIXTURES) await conversationCost(sim, fixture);
			out('');
		}
		if (PART === 'all' || PART === 'state') {
			out(`Static data: ${CHATBOTS} chatbots (Several by ID) at 1,000 leads a day, defaults (48 h recheck).`);
			out('vendor    | after activation: node   global | after 1 h of polls and a recheck: node   global | total');
			for (const fixture of FIXTURES) await stateSize(sim, fixture);
		}
	} finally {
		await sim.stop();
	}
}

main().catch((error: unknown) => {
	process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
	process.exitCode = 1;
});
