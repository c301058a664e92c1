#!/usr/bin/env node
'use strict';
/**
 * `npm run n8n`: a real n8n 2.41.1 on http://localhost:5678 with this package installed, for
 * trying the nodes by hand. No vendor account needed: the vendor simulator (test/simulator)
 * runs seeded on 127.0.0.1 and the four credentials point at it.
 *
 *   npm run n8n                 (= npm run build && node scripts/n8n/local.js)
 *   N8N_PORT=5679 npm run n8n   another port (default 5678, or a free one if 5678 is taken)
 *   LOCAL_N8N_PASSWORD=...      a fixed owner password (default: a new one each start)
 *   LOCAL_N8N_NO_ACTIVATE=1     leave the trigger workflow inactive
 *
 * It packs the repo (`npm pack`) and installs the tarball as Settings > Community Nodes does,
 * into a fresh home at ~/.cache/n8n-nodes-chatbot-leads/local-home (re-created on every start),
 * imports the credentials and the workflows in scripts/n8n/workflows/, publishes the trigger
 * workflows, starts n8n, creates the owner account and prints how to log in. The simulator then
 * sends one signed Chatbase lead webhook to the Instant Trigger's production URL, so its
 * workflow shows an execution right away. Ctrl+C stops n8n and the simulator. The login is
 * also written to local-home/login.json (for screenshot.js).
 */
const crypto = require('crypto');
const fs = require('fs');
const net = require('net');
const os = require('os');
const path = require('path');

const n8n = require('./lib');
const s = require('../../test/e2e/support');

const WORKFLOWS_DIR = path.join(__dirname, 'workflows');
const OWNER_EMAIL = 'admin@example.com';
const log = (msg) => console.log(`[n8n local] ${msg}`);

/** Resolves true when nothing listens on 127.0.0.1:port. */
function portIsFree(port) {
	return new Promise((resolve) => {
		const server = net.createServer();
		server.once('error', () => resolve(false));
		server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
	});
}

async function pickPort(requested, fallbackToFree) {
	if (await portIsFree(requested)) return requested;
	if (!fallbackToFree) throw new Error(`port ${requested} is taken (N8N_PORT=${requested})`);
	const port = n8n.freePortSync();
	log(`port ${requested} is taken; using ${port}`);
	return port;
}

function freshHome() {
	const home = path.join(n8n.paths().cacheDir, 'local-home');
	n8n.removeN8nHome(home);
	fs.mkdirSync(home, { recursive: true });
	return home;
}

function readWorkflows() {
	return fs
		.readdirSync(WORKFLOWS_DIR)
		.filter((file) => file.endsWith('.json'))
		.sort()
		.map((file) => JSON.parse(fs.readFileSync(path.join(WORKFLOWS_DIR, file), 'utf8')));
}

/** Workflows starting with one of our triggers: published, so they run under `n8n start`. */
function isTriggerWorkflow(workflow) {
	return workflow.nodes.some((node) => node.type === s.TRIGGER_TYPE || node.type === s.INSTANT_TYPE);
}

/** The Instant Trigger's node in the local workflows, if any. */
function instantTrigger(workflows) {
	for (const workflow of workflows) {
		const node = workflow.nodes.find((candidate) => candidate.type === s.INSTANT_TYPE);
		if (node) return { workflow, node };
	}
	return undefined;
}

/**
 * The simulator sends Chatbase's signed leads.submit to the Instant Trigger's production URL,
 * once n8n has registered it (a moment after the editor is up). Resolves the delivery.
 */
async function sendDemoWebhook(sim, url, chatbotId) {
	const deadline = Date.now() + 30000;
	while ((await s.httpJson('POST', url, { body: '', allowError: true })).status === 404) {
		if (Date.now() > deadline) throw new Error(`${url} was not registered within 30 s`);
		await s.sleep(250);
	}
	const lead = { name: 'Grace Hopper', email: 'grace@example.com', phone: '+1 555 0100' };
	const res = await sim.admin('POST', '/webhooks', { vendor: 'chatbase', chatbotId, url, lead });
	return res.body.webhook.deliveries[0];
}

async function startSimulator() {
	// A stable port when possible, so the admin commands printed below keep working.
	const port = (await portIsFree(5680)) ? 5680 : 0;
	return s.startSimulator({ port, seed: true });
}

function printWelcome({ server, sim, password, workflows, activated, instant }) {
	const editor = `http://localhost:${server.port}`;
	const sheet = workflows.find((w) => w.name === 'Leads to a sheet');
	const chatbase = sim.seed.chatbase.chatbotId;
	const polling = activated.filter((name) => !instant || name !== instant.workflow.name);
	const lines = [
		'',
		`n8n ${n8n.paths().version} is running with n8n-nodes-chatbot-leads installed from the packed tarball.`,
		'',
		`  Editor:    ${editor}`,
		`  Log in:    ${OWNER_EMAIL}  /  ${password}   (a local account on this machine only)`,
		`  Workflows: ${workflows.map((w) => `"${w.name}" ${editor}/workflow/${w.id}`).join('\n             ')}`,
		`  Simulator: ${sim.url} (Chatbase, Chatzuri, Chatof.ai and Robofy; 25 demo leads each)`,
		'',
		sheet ? `Open "${sheet.name}" and select Execute workflow to get the demo leads as sheet rows.` : '',
		polling.length
			? `"${polling.join('", "')}" is active: add a lead and it fires at the next minute poll:`
			: 'Add a lead to the simulator:',
		`  curl -s -X POST ${sim.url}/__admin/leads -H 'content-type: application/json' \\`,
		`    -d '{"vendor":"chatbase","chatbotId":"${chatbase}","leads":[{"createdAt":"'$(date -u +%FT%TZ)'","name":"Jane Doe","email":"jane@example.com"}]}'`,
		'',
		...instantLines(instant, sim, chatbase),
		'Press Ctrl+C to stop n8n and the simulator.',
	];
	console.log(lines.join('\n'));
}

function instantLines(instant, sim, chatbase) {
	if (!instant) return [];
	const status = instant.delivery ? `answered ${instant.delivery.status} ${JSON.stringify(instant.delivery.body)}` : 'not sent';
	return [
		`"${instant.workflow.name}" listens at ${instant.url}`,
		`The simulator sent it a signed Chatbase lead webhook (${status}). Send another, as Chatbase would:`,
		`  curl -s -X POST ${sim.url}/__admin/webhooks -H 'content-type: application/json' \\`,
		`    -d '{"vendor":"chatbase","chatbotId":"${chatbase}","url":"${instant.url}","lead":{"name":"Jane Doe","email":"jane@example.com"}}'`,
		'  Its answer names the webhook ("id":"wh_2", …). Resend those exact bytes, as a vendor retry does: acknowledged, not emitted again:',
		`  curl -s -X POST ${sim.url}/__admin/webhooks/redeliver -H 'content-type: application/json' -d '{"id":"wh_2"}'`,
		'  Add "signature":"wrong" to the first command to see a 401 and nothing started.',
		'',
	];
}

async function main() {
	const requestedPort = process.env.N8N_PORT ? Number(process.env.N8N_PORT) : 5678;
	const password = process.env.LOCAL_N8N_PASSWORD || `Local-${crypto.randomBytes(6).toString('hex')}-9`;
	const state = {};
	const stop = async () => {
		state.stopping = true;
		if (state.server) await state.server.stop();
		if (state.sim) await state.sim.stop();
		n8n.killAll();
	};
	s.installCleanup(stop);

	n8n.ensureInstalled();
	const port = await pickPort(requestedPort, !process.env.N8N_PORT);
	const home = freshHome();
	log(`home ${home}`);

	state.sim = await startSimulator();
	log(`simulator on ${state.sim.url}`);

	const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'chatbot-leads-local-pack-'));
	try {
		const tgz = await n8n.packPackage(s.REPO, tmp);
		const installed = await n8n.installPackedPackage(home, tgz);
		log(`installed ${installed.name}@${installed.version} (from ${path.basename(tgz)})`);
	} finally {
		n8n.removeN8nHome(tmp);
	}

	await n8n.importCredentials(home, s.simulatorCredentials(state.sim));
	const workflows = readWorkflows();
	await n8n.importWorkflow(home, workflows);
	log(`imported 4 credentials and ${workflows.length} workflows`);

	const activated = [];
	if (process.env.LOCAL_N8N_NO_ACTIVATE !== '1') {
		for (const workflow of workflows.filter(isTriggerWorkflow)) {
			await n8n.publishWorkflow(home, workflow.id);
			activated.push(workflow.name);
		}
	}

	log(`starting n8n on port ${port}…`);
	state.server = await n8n.startN8n(home, { env: { N8N_PORT: port, N8N_EDITOR_BASE_URL: `http://localhost:${port}` } });
	const rest = new s.N8nRestClient(state.server.url);
	await rest.setupOwner({ email: OWNER_EMAIL, password, firstName: 'Local', lastName: 'Admin' });
	fs.writeFileSync(
		path.join(home, 'login.json'),
		JSON.stringify({ url: `http://localhost:${port}`, email: OWNER_EMAIL, password, workflows: workflows.map(({ id, name }) => ({ id, name })) }, null, 2),
		{ mode: 0o600 },
	);

	const found = instantTrigger(workflows);
	let instant;
	if (found && activated.includes(found.workflow.name)) {
		instant = { ...found, url: s.instantUrl(`http://localhost:${port}`, found.node.webhookId) };
		instant.delivery = await sendDemoWebhook(state.sim, instant.url, found.node.parameters.chatbotId.value).catch((error) => {
			log(`the demo webhook could not be sent: ${error.message}`);
			return undefined;
		});
	}

	printWelcome({ server: state.server, sim: state.sim, password, workflows, activated, instant });

	// Run until Ctrl+C (installCleanup stops everything), or until n8n exits on its own.
	const exit = await new Promise((resolve) => state.server.process.once('exit', (code, signal) => resolve({ code, signal })));
	if (state.stopping) return; // Ctrl+C: installCleanup stops the rest and exits
	log(`n8n exited on its own (${JSON.stringify(exit)})`);
	state.server = null;
	await stop();
	process.exitCode = 1;
}

main().catch(async (error) => {
	console.error(`[n8n local] failed: ${error && error.stack ? error.stack : error}`);
	n8n.killAll();
	s.killChildren();
	process.exitCode = 1;
});
