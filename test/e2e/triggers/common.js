'use strict';

/** The exactly-once scenario's settings (chatbots, phases, timings), its report, and small helpers. */
const { ENGINES, durableTickSecond } = require('../../../scripts/n8n/engines');
const s = require('../support');
const { createReport } = require('../report');

const KEEP = process.env.E2E_KEEP === '1';
const ECHO = process.env.E2E_ECHO === '1';
const r = createReport();

const TRIGGER_NODE_ID = 'ChatbotLeadsTriggerid'; // support.triggerNode's id for its default name
const POLL_WAIT_MS = 150000; // a minute poll, slow starts and the scheduler's claim delay included
const KILL_LATENCY_MS = 25000; // below the node's 30 s request timeout: the poll stays in flight
const KILL_WINDOW_MS = 20000; // polls that arrived up to this long before the kill are still held
const KILL_ROUNDS = 3; // kill rounds at most, until every chatbot's poll was in flight at a kill

/** The watched chatbots: one row of the final table each. `sim` is 'main' or 'utc8'. */
const ROWS = [
	{ key: 'chatbase', vendor: 'chatbase', label: 'Chatbase', sim: 'main', chatbotId: 'e2e-trigger-chatbase', base: 'trgChatbase' },
	{ key: 'chatzuri', vendor: 'chatzuri', label: 'Chatzuri', sim: 'main', chatbotId: 'e2e-trigger-chatzuri', base: 'trgChatzuri' },
	{ key: 'chatofAi', vendor: 'chatofAi', label: 'Chatof.ai', sim: 'main', chatbotId: 'e2e-trigger-chatof', base: 'trgChatofai' },
	{ key: 'robofy', vendor: 'robofy', label: 'Robofy', sim: 'main', chatbotId: 'e2e-trigger-robofy', projectId: 303, base: 'trgRobofy' },
	{
		key: 'robofyUtc8',
		vendor: 'robofy',
		label: 'Robofy, UTC-8 clock',
		sim: 'utc8',
		chatbotId: 'e2e-trigger-robofy-utc8',
		projectId: 304,
		base: 'trgRobofyUtc8',
		credentialVariant: 'UTC-8 account',
	},
];
const UTC8_OFFSET_MINUTES = -480;

/** Which phase each new lead number belongs to. */
const PHASES = { gap: [1, 2, 3], ties: [4, 5], late: [6, 7], stopped: [8] };
const killLeads = (round) => [9 + 2 * (round - 1), 10 + 2 * (round - 1)]; // 9-10, 11-12, 13-14
const phaseOf = (n) => Object.keys(PHASES).find((p) => PHASES[p].includes(n)) || 'kill';

// ------------------------------------------------------------------------------- helpers

const wholeSecond = (ms) => Math.floor(ms / 1000) * 1000;
const leadEmail = (row, n) => `new-${n}.${row.key.toLowerCase()}@e2e.example.com`;

/** A 16-character workflow id (n8n 1.x refuses longer ones) whose durable-scheduler tick is `second`. */
function workflowIdTicking(base, second) {
	for (let k = 0; k < 100000; k++) {
		const id = `${base}${String(k).padStart(16 - base.length, '0')}`;
		if (durableTickSecond(id, TRIGGER_NODE_ID) === second) return id;
	}
	throw new Error(`no workflow id for ${base} ticking at second ${second}`);
}

function parseEngines(argv) {
	const arg = argv.find((a) => a.startsWith('--engines='));
	const names = (arg ? arg.slice('--engines='.length) : process.env.E2E_ENGINES || 'default').split(',').map((x) => x.trim()).filter(Boolean);
	for (const name of names) if (!ENGINES[name]) throw new Error(`unknown engine '${name}' (known: ${Object.keys(ENGINES).join(', ')})`);
	return names;
}

/** Waits until the clock's second is `second` (0-59); returns at once when it is. */
async function waitForSecond(second) {
	const nowSecond = new Date().getUTCSeconds();
	const waitS = (second - nowSecond + 60) % 60;
	if (waitS > 0) await s.sleep(waitS * 1000 - (Date.now() % 1000));
}

module.exports = { KEEP, ECHO, r, TRIGGER_NODE_ID, POLL_WAIT_MS, KILL_LATENCY_MS, KILL_WINDOW_MS, KILL_ROUNDS, ROWS, UTC8_OFFSET_MINUTES, PHASES, killLeads, phaseOf, wholeSecond, leadEmail, workflowIdTicking, parseEngines, waitForSecond };
