'use strict';
/**
 * Helpers shared by the real-n8n end-to-end test (test/e2e/run.js) and the local instance
 * (scripts/n8n/local.js): the vendor simulator as a child process, its admin API, the four
 * credentials, workflow builders, and a small client for n8n's REST API (owner setup, login,
 * credential test). Plain CommonJS, no dependencies, Node 20.
 */
const childProcess = require('child_process');
const http = require('http');
const path = require('path');

const n8n = require('../../scripts/n8n/lib');

const REPO = path.resolve(__dirname, '..', '..');
const PACKAGE = 'n8n-nodes-chatbot-leads';
const NODE_TYPE = `${PACKAGE}.chatbotLeads`;
const TRIGGER_TYPE = `${PACKAGE}.chatbotLeadsTrigger`;
const INSTANT_TYPE = `${PACKAGE}.chatbotLeadsInstantTrigger`;

/** Per vendor: the simulator's key (also our `provider` value) and n8n's credential type. */
const VENDORS = [
	{ vendor: 'chatbase', label: 'Chatbase', credentialType: 'chatbaseApi' },
	{ vendor: 'chatzuri', label: 'Chatzuri', credentialType: 'chatzuriApi' },
	{ vendor: 'chatofAi', label: 'Chatof.ai', credentialType: 'chatofAiApi' },
	{ vendor: 'robofy', label: 'Robofy', credentialType: 'robofyApi' },
];

// ------------------------------------------------------------------------ child processes

const children = new Set();
let cleanupInstalled = false;

function killChild(child, signal = 'SIGKILL') {
	if (!child || !child.pid || child.exitCode !== null || child.signalCode !== null) return;
	try {
		process.kill(-child.pid, signal); // its own process group
	} catch {
		try {
			child.kill(signal);
		} catch {
			/* already gone */
		}
	}
}

/** Kills every child started through this module (the simulator). */
function killChildren() {
	for (const child of children) killChild(child);
	children.clear();
}

/**
 * Runs an e2e script's `steps` with its report (report.js): a signal or a thrown error becomes the
 * failed check `runCheck`; n8n (through the script's own stopServer), the simulator, every child
 * process and the temporary folders are cleaned up whatever happens (the n8n home stays with
 * `keep`); the exit code says whether every check passed.
 */
async function runScript(state, r, { runCheck, steps, stopServer, keep }) {
	const cleanUp = async () => {
		await stopServer(state).catch(() => {});
		if (state.sim) await state.sim.stop().catch(() => {});
		n8n.killAll();
		killChildren();
		if (state.tmp) n8n.removeN8nHome(state.tmp);
		if (state.home && !keep) n8n.removeN8nHome(state.home);
		else if (state.home) r.note(`kept n8n home ${state.home}`);
	};
	installCleanup(async (signal) => {
		r.report('the run was not interrupted', new Error(signal));
		r.summarize();
		await cleanUp();
	});
	try {
		await steps();
	} catch (error) {
		r.report(runCheck, error);
	} finally {
		await cleanUp();
	}
	if (!r.isFinished()) process.exitCode = r.summarize() ? 0 : 1;
}

/**
 * Runs `onSignal` (async cleanup) once on SIGINT / SIGTERM / SIGHUP, then exits 130/143/129.
 * Also kills our children on a plain process exit. lib.js tracks n8n itself.
 */
function installCleanup(onSignal) {
	if (cleanupInstalled) return;
	cleanupInstalled = true;
	process.on('exit', killChildren);
	const codes = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };
	let running = false;
	for (const signal of Object.keys(codes)) {
		process.on(signal, () => {
			if (running) return;
			running = true;
			process.stderr.write(`\n${signal}: cleaning up…\n`);
			const hardStop = setTimeout(() => process.exit(codes[signal]), 30000);
			hardStop.unref();
			Promise.resolve()
				.then(() => onSignal && onSignal(signal))
				.catch((error) => process.stderr.write(`cleanup failed: ${error.message}\n`))
				.finally(() => {
					killChildren();
					process.exit(codes[signal]);
				});
		});
	}
}

// ---------------------------------------------------------------------------- simulator

/**
 * Starts `node test/simulator/cli.js --port <port> [--seed]` on 127.0.0.1 as a child process.
 * Resolves { url, baseUrls, keys, seed, process, admin(method, path, body), stop() }.
 */
function startSimulator({ port = 0, seed = false, verbose = false } = {}) {
	const args = [path.join(REPO, 'test', 'simulator', 'cli.js'), '--port', String(port), '--host', '127.0.0.1'];
	if (seed) args.push('--seed');
	if (verbose) args.push('--verbose');
	const child = childProcess.spawn(process.execPath, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
	children.add(child);
	child.once('exit', () => children.delete(child));
	let stderr = '';
	child.stderr.setEncoding('utf8').on('data', (d) => {
		stderr += d;
		if (verbose) process.stderr.write(d);
	});
	return new Promise((resolve, reject) => {
		let stdout = '';
		const timer = setTimeout(() => fail(new Error('the simulator did not start within 15 s')), 15000);
		function fail(error) {
			clearTimeout(timer);
			killChild(child);
			reject(new Error(`${error.message}\n${stderr}`));
		}
		child.once('error', fail);
		child.once('exit', (code) => fail(new Error(`the simulator exited (${code})`)));
		child.stdout.setEncoding('utf8').on('data', (d) => {
			stdout += d;
			const newline = stdout.indexOf('\n');
			if (newline < 0) return;
			clearTimeout(timer);
			child.removeAllListeners('exit');
			child.once('exit', () => children.delete(child));
			const info = JSON.parse(stdout.slice(0, newline));
			const sim = {
				...info,
				process: child,
				admin: (method, urlPath, body) => httpJson(method, `${info.url}/__admin${urlPath}`, { body }),
				stop: () => stopChild(child),
			};
			resolve(sim);
		});
	});
}

function stopChild(child) {
	return new Promise((resolve) => {
		if (child.exitCode !== null || child.signalCode !== null) return resolve();
		const timer = setTimeout(() => killChild(child, 'SIGKILL'), 5000);
		child.once('exit', () => {
			clearTimeout(timer);
			children.delete(child);
			resolve();
		});
		killChild(child, 'SIGTERM');
	});
}

// --------------------------------------------------------------------------------- HTTP

/**
 * One HTTP request with a JSON body. Resolves { status, headers, body } (body parsed when JSON).
 * Rejects on a non-2xx status unless allowError.
 */
function httpJson(method, url, { body, headers = {}, allowError = false, timeoutMs = 30000 } = {}) {
	return new Promise((resolve, reject) => {
		const payload = body === undefined ? undefined : JSON.stringify(body);
		const req = http.request(
			url,
			{
				method,
				timeout: timeoutMs,
				headers: {
					accept: 'application/json',
					...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
					...headers,
				},
			},
			(res) => {
				let text = '';
				res.setEncoding('utf8');
				res.on('data', (d) => (text += d));
				res.on('end', () => {
					let parsed = text;
					try {
						parsed = text ? JSON.parse(text) : null;
					} catch {
						/* not JSON */
					}
					const result = { status: res.statusCode, headers: res.headers, body: parsed };
					if (!allowError && (res.statusCode < 200 || res.statusCode >= 300)) {
						reject(Object.assign(new Error(`${method} ${url}: HTTP ${res.statusCode} ${text.slice(0, 500)}`), result));
					} else resolve(result);
				});
			},
		);
		req.on('timeout', () => req.destroy(new Error(`${method} ${url}: timed out after ${timeoutMs} ms`)));
		req.on('error', reject);
		if (payload !== undefined) req.write(payload);
		req.end();
	});
}

/**
 * A logged-in session on n8n's REST API. n8n binds its auth cookie to the `browser-id` header
 * it was issued with, so every request sends the same one.
 */
class N8nRestClient {
	constructor(baseUrl) {
		this.baseUrl = baseUrl.replace(/\/+$/, '');
		this.cookie = '';
		this.browserId = `e2e-${Date.now()}`;
	}

	async request(method, urlPath, body, { allowError = false } = {}) {
		const headers = { 'browser-id': this.browserId };
		if (this.cookie) headers.cookie = this.cookie;
		const res = await httpJson(method, `${this.baseUrl}/rest${urlPath}`, { body, headers, allowError });
		const setCookie = res.headers['set-cookie'];
		if (setCookie) {
			const auth = setCookie.map((c) => c.split(';')[0]).find((c) => c.startsWith('n8n-auth='));
			if (auth) this.cookie = auth;
		}
		return res;
	}

	/** POST /rest/owner/setup: only works while the instance has no owner yet. */
	setupOwner({ email, password, firstName = 'Local', lastName = 'Owner' }) {
		return this.request('POST', '/owner/setup', { email, password, firstName, lastName });
	}

	login(email, password) {
		return this.request('POST', '/login', { emailOrLdapLoginId: email, password });
	}

	/**
	 * POST /rest/credentials/test for a stored credential; `data` (optional) replaces its stored
	 * values for this test only, as the credential dialog does. Resolves n8n's answer
	 * { status: 'OK' | 'Error', message }.
	 */
	async testCredential({ id, name, type, data }) {
		const res = await this.request('POST', '/credentials/test', { credentials: { id, name, type, data } });
		return res.body && res.body.data !== undefined ? res.body.data : res.body;
	}

	/**
	 * What a node's "From List" picker shows: n8n's POST /rest/dynamic-node-parameters/
	 * resource-locator-results, as the editor calls it. `vendor` picks the simulator credential the
	 * node uses. Resolves { status, body } (body.data.results on success).
	 */
	listSearch({ nodeType, parameter, methodName, parameters, vendor, filter }) {
		return this.request(
			'POST',
			'/dynamic-node-parameters/resource-locator-results',
			{
				nodeTypeAndVersion: { name: nodeType, version: 1 },
				path: `parameters.${parameter}`,
				methodName,
				currentNodeParameters: parameters,
				credentials: credentialRef(vendor),
				...(filter ? { filter } : {}),
			},
			{ allowError: true },
		);
	}
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ------------------------------------------------------------------------- credentials

/** Stable credential ids, so workflows can refer to them before they are imported. */
function credentialId(vendor, variant = '') {
	return `sim${vendor}${variant}`.replace(/[^A-Za-z0-9]/g, '').padEnd(16, '0').slice(0, 16);
}

/**
 * The four credentials pointing at the simulator (n8n import:credentials format); Chatbase's and
 * Chatzuri's also hold the simulator's webhook signing secret.
 */
function simulatorCredentials(sim) {
	return VENDORS.map(({ vendor, label, credentialType }) => {
		const data = { apiKey: sim.keys[vendor], baseUrl: sim.baseUrls[vendor] };
		if (sim.webhookSecrets && sim.webhookSecrets[vendor]) data.webhookSecret = sim.webhookSecrets[vendor];
		return { id: credentialId(vendor), name: `${label} (local simulator)`, type: credentialType, data };
	});
}

/** How a node refers to a credential. */
function credentialRef(vendor, variant = '') {
	const { label, credentialType } = VENDORS.find((v) => v.vendor === vendor);
	return { [credentialType]: { id: credentialId(vendor, variant), name: variant ? `${label} (${variant})` : `${label} (local simulator)` } };
}

// ---------------------------------------------------------------------------- workflows

/** Node parameters picking a chatbot By ID (and Robofy's project). */
function chatbotParameters(vendor, chatbotId, projectId) {
	const parameters = { provider: vendor, chatbotId: { __rl: true, mode: 'id', value: String(chatbotId) } };
	if (vendor === 'robofy') parameters.projectId = { __rl: true, mode: 'id', value: String(projectId) };
	return parameters;
}

function manualTriggerNode(name = 'Manual Trigger', position = [0, 0]) {
	return { id: `${name}-id`.replace(/\W/g, ''), name, type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position, parameters: {} };
}

/** A Chatbot Leads node: `limit` undefined means Return All. */
function leadsNode({ name = 'Chatbot Leads', vendor, chatbotId, projectId, limit, credentialVariant = '', position = [220, 0], options = {} }) {
	const parameters = { ...chatbotParameters(vendor, chatbotId, projectId) };
	if (limit === undefined) parameters.returnAll = true;
	else Object.assign(parameters, { returnAll: false, limit });
	parameters.options = options;
	return {
		id: `${name}-id`.replace(/\W/g, ''),
		name,
		type: NODE_TYPE,
		typeVersion: 1,
		position,
		parameters,
		credentials: credentialRef(vendor, credentialVariant),
	};
}

/** A Chatbot Leads Trigger node polling every minute (n8n's shortest poll time). */
function triggerNode({ name = 'Chatbot Leads Trigger', vendor, chatbotId, projectId, credentialVariant = '', options = {}, position = [0, 0] }) {
	return {
		id: `${name}-id`.replace(/\W/g, ''),
		name,
		type: TRIGGER_TYPE,
		typeVersion: 1,
		position,
		parameters: { pollTimes: { item: [{ mode: 'everyMinute' }] }, ...chatbotParameters(vendor, chatbotId, projectId), options },
		credentials: credentialRef(vendor, credentialVariant),
	};
}

/**
 * A Chatbot Leads Instant Trigger. `webhookId` makes its production URL
 * `<n8n>/webhook/<webhookId>/webhook` (the editor sets one when the node is added).
 */
function instantTriggerNode({ name = 'Chatbot Leads Instant Trigger', vendor, chatbotId = '', webhookId, options = {}, credentialVariant = '', position = [0, 0] }) {
	return {
		id: `${name}-id`.replace(/\W/g, ''),
		name,
		type: INSTANT_TYPE,
		typeVersion: 1,
		position,
		webhookId,
		parameters: { provider: vendor, chatbotId: { __rl: true, mode: 'id', value: chatbotId }, options },
		credentials: credentialRef(vendor, credentialVariant),
	};
}

/** The production URL of an active workflow's Instant Trigger. */
function instantUrl(n8nUrl, webhookId) {
	return `${n8nUrl.replace(/\/+$/, '')}/webhook/${webhookId}/webhook`;
}

function noOpNode(name = 'Received', position = [220, 0]) {
	return { id: `${name}-id`.replace(/\W/g, ''), name, type: 'n8n-nodes-base.noOp', typeVersion: 1, position, parameters: {} };
}

/** main connections from `from` to each of `to`. */
function connect(from, ...to) {
	return { [from]: { main: [to.map((node) => ({ node, type: 'main', index: 0 }))] } };
}

// ------------------------------------------------------------------- the trigger's cursor

/** The 11-character fingerprint the trigger stores for a lead id (nodes/ChatbotLeadsTrigger/state/seenIds.ts). */
function leadFingerprint(id) {
	return require('crypto').createHash('sha256').update(String(id)).digest().toString('base64url', 0, 8);
}

/** Every lead-id fingerprint a saved `leadCursor` (version 2) holds, over all its chatbots. */
function seenFingerprints(cursor) {
	const prints = new Set();
	for (const entry of Object.values((cursor && cursor.chatbots) || {})) {
		for (const run of Object.values(entry.seen || {})) {
			for (let i = 0; i + 11 <= run.length; i += 11) prints.add(run.slice(i, i + 11));
		}
	}
	return prints;
}

/** Prints a table as `# | a | b |` lines (the e2e scripts' figure tables). */
function printTable(header, lines) {
	const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
	const fmt = (cells) => `# | ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
	console.log(fmt(header));
	console.log(`# |${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
	for (const l of lines) console.log(fmt(l));
}

module.exports = {
	printTable,
	leadFingerprint,
	seenFingerprints,
	REPO,
	PACKAGE,
	NODE_TYPE,
	TRIGGER_TYPE,
	INSTANT_TYPE,
	VENDORS,
	installCleanup,
	runScript,
	killChildren,
	startSimulator,
	httpJson,
	sleep,
	N8nRestClient,
	credentialId,
	credentialRef,
	simulatorCredentials,
	chatbotParameters,
	manualTriggerNode,
	leadsNode,
	triggerNode,
	instantTriggerNode,
	instantUrl,
	noOpNode,
	connect,
};
