'use strict';
/**
 * End-to-end check of scripts/n8n/lib.js against the real n8n installed by install-n8n.sh.
 *
 *   node scripts/n8n/selftest.js             (add --install to run install-n8n.sh first,
 *                                              --keep to keep the temp n8n homes, --echo to
 *                                              copy n8n start's output to stderr)
 *
 * Independent of this repo's own nodes (which may be mid-edit): it uses built-in nodes plus a
 * throwaway community package written and packed here.
 *  1. Manual Trigger -> Set -> Code, imported and run with `n8n execute`; a failing Code node
 *     run comes back as status 'error'.
 *  2. A throwaway package n8n-nodes-lib-selftest (a plain node + a polling trigger that keeps a
 *     counter in static data) is packed and installed like a Community Nodes install, then used
 *     in an `n8n execute` run (type n8n-nodes-lib-selftest.libSelftestEcho).
 *  3. Active workflows: a Schedule Trigger (every 2 s) -> Set and the polling trigger, published
 *     with publish:workflow, `n8n start`ed; executions are read from the SQLite DB, then n8n is
 *     stopped and static data is read; a second start proves the counter survived the restart.
 */
const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const n8n = require('./lib');

const args = new Set(process.argv.slice(2));
const keep = args.has('--keep');
const echo = args.has('--echo');
const t0 = Date.now();
const timings = {};
const log = (msg) => console.log(`[selftest ${((Date.now() - t0) / 1000).toFixed(1).padStart(5)}s] ${msg}`);
async function timed(label, fn) {
	const start = Date.now();
	const value = await fn();
	timings[label] = Date.now() - start;
	log(`${label}: ${timings[label]} ms`);
	return value;
}

// ------------------------------------------------------------------ throwaway community package

const PKG = 'n8n-nodes-lib-selftest';

function writeThrowawayPackage(dir) {
	fs.mkdirSync(path.join(dir, 'dist', 'nodes'), { recursive: true });
	fs.writeFileSync(
		path.join(dir, 'package.json'),
		JSON.stringify(
			{
				name: PKG,
				version: '0.0.1',
				keywords: ['n8n-community-node-package'],
				license: 'MIT',
				files: ['dist'],
				n8n: {
					n8nNodesApiVersion: 1,
					credentials: [],
					nodes: ['dist/nodes/LibSelftestEcho.node.js', 'dist/nodes/LibSelftestPoll.node.js'],
				},
				peerDependencies: { 'n8n-workflow': '*' },
			},
			null,
			2,
		),
	);
	// require('n8n-workflow') checks that the peer dependency resolves to n8n's own copy.
	fs.writeFileSync(
		path.join(dir, 'dist', 'nodes', 'LibSelftestEcho.node.js'),
		`'use strict';
const { NodeConnectionTypes } = require('n8n-workflow');
class LibSelftestEcho {
	constructor() {
		this.description = {
			displayName: 'Lib Selftest Echo', name: 'libSelftestEcho', group: ['transform'], version: 1,
			description: 'selftest', defaults: { name: 'Lib Selftest Echo' },
			inputs: [NodeConnectionTypes.Main], outputs: [NodeConnectionTypes.Main],
			properties: [{ displayName: 'Text', name: 'text', type: 'string', default: '' }],
		};
	}
	async execute() {
		const items = this.getInputData();
		return [items.map((item, i) => ({ json: { echoed: this.getNodeParameter('text', i), workflowVersion: require('n8n-workflow/package.json').version } }))];
	}
}
module.exports = { LibSelftestEcho };
`,
	);
	fs.writeFileSync(
		path.join(dir, 'dist', 'nodes', 'LibSelftestPoll.node.js'),
		`'use strict';
const { NodeConnectionTypes } = require('n8n-workflow');
class LibSelftestPoll {
	constructor() {
		this.description = {
			displayName: 'Lib Selftest Poll', name: 'libSelftestPoll', group: ['trigger'], version: 1,
			description: 'selftest', defaults: { name: 'Lib Selftest Poll' }, polling: true,
			inputs: [], outputs: [NodeConnectionTypes.Main],
			properties: [],
		};
	}
	async poll() {
		const data = this.getWorkflowStaticData('node');
		const count = (data.count || 0) + 1;
		data.count = count; // assign (never mutate in place): n8n saves on assignment
		return [[{ json: { count, mode: this.getMode() } }]];
	}
}
module.exports = { LibSelftestPoll };
`,
	);
}

// ------------------------------------------------------------------------------ workflows

const manualWorkflow = {
	id: 'selftestManual01',
	name: 'selftest manual',
	nodes: [
		{ id: 'm1', name: 'Manual', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
		{
			id: 'm2',
			name: 'Set',
			type: 'n8n-nodes-base.set',
			typeVersion: 3.4,
			position: [200, 0],
			parameters: {
				assignments: {
					assignments: [
						{ id: 'a1', name: 'hello', value: 'world', type: 'string' },
						{ id: 'a2', name: 'n', value: '={{ 40 + 2 }}', type: 'number' },
					],
				},
				options: {},
			},
		},
		{
			id: 'm3',
			name: 'Code',
			type: 'n8n-nodes-base.code',
			typeVersion: 2,
			position: [400, 0],
			parameters: { jsCode: "return $input.all().map(i => ({ json: { ...i.json, doubled: i.json.n * 2 } }));" },
		},
	],
	connections: {
		Manual: { main: [[{ node: 'Set', type: 'main', index: 0 }]] },
		Set: { main: [[{ node: 'Code', type: 'main', index: 0 }]] },
	},
};

const failingWorkflow = {
	id: 'selftestFailing1',
	name: 'selftest failing',
	nodes: [
		{ id: 'f1', name: 'Manual', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
		{
			id: 'f2',
			name: 'Boom',
			type: 'n8n-nodes-base.code',
			typeVersion: 2,
			position: [200, 0],
			parameters: { jsCode: "throw new Error('boom from selftest');" },
		},
	],
	connections: { Manual: { main: [[{ node: 'Boom', type: 'main', index: 0 }]] } },
};

const packageWorkflow = {
	id: 'selftestPackage1',
	name: 'selftest community package',
	nodes: [
		{ id: 'p1', name: 'Manual', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
		{ id: 'p2', name: 'Echo', type: `${PKG}.libSelftestEcho`, typeVersion: 1, position: [200, 0], parameters: { text: 'hi from the package' } },
	],
	connections: { Manual: { main: [[{ node: 'Echo', type: 'main', index: 0 }]] } },
};

const scheduleWorkflow = {
	id: 'selftestSchedule',
	name: 'selftest schedule',
	nodes: [
		{
			id: 's1',
			name: 'Schedule',
			type: 'n8n-nodes-base.scheduleTrigger',
			typeVersion: 1.2,
			position: [0, 0],
			parameters: { rule: { interval: [{ field: 'seconds', secondsInterval: 2 }] } },
		},
		{
			id: 's2',
			name: 'Set',
			type: 'n8n-nodes-base.set',
			typeVersion: 3.4,
			position: [200, 0],
			parameters: { assignments: { assignments: [{ id: 'b1', name: 'fromSchedule', value: true, type: 'boolean' }] }, options: {} },
		},
	],
	connections: { Schedule: { main: [[{ node: 'Set', type: 'main', index: 0 }]] } },
};

const pollWorkflow = {
	id: 'selftestPolling1',
	name: 'selftest polling trigger',
	nodes: [
		{
			id: 'q1',
			name: 'Poll',
			type: `${PKG}.libSelftestPoll`,
			typeVersion: 1,
			position: [0, 0],
			parameters: { pollTimes: { item: [{ mode: 'everyHour' }] } },
		},
	],
	connections: {},
};

// ------------------------------------------------------------------------------------ main

async function main() {
	if (args.has('--install')) n8n.ensureInstalled();
	n8n.assertInstalled();
	const p = n8n.paths();
	log(`n8n ${p.version} in ${p.installDir}, Node 24 at ${p.node24}; this process runs Node ${process.version}`);

	const homes = [];
	const servers = [];
	const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-selftest-'));
	try {
		// ---- 1. built-in nodes, n8n execute
		const home = n8n.createN8nHome();
		homes.push(home);
		log(`home ${home}`);
		const version = await timed('n8n --version', () => n8n.runN8n(home, ['--version']));
		assert.strictEqual(version.stdout.trim().split('\n').pop(), p.version);

		const credIds = await timed('importCredentials (first command: DB migrations)', () =>
			n8n.importCredentials(home, [{ name: 'selftest header auth', type: 'httpHeaderAuth', data: { name: 'X-Api-Key', value: 'secret' } }]),
		);
		const credRows = await n8n.querySqlite(home, 'SELECT id, name, type, data FROM credentials_entity');
		assert.strictEqual(credRows.length, 1);
		assert.strictEqual(credRows[0].id, credIds[0]);
		assert.ok(!credRows[0].data.includes('secret'), 'credential data is stored encrypted');

		const ids = await timed('importWorkflow x2', () => n8n.importWorkflow(home, [manualWorkflow, failingWorkflow]));
		assert.deepStrictEqual(ids, [manualWorkflow.id, failingWorkflow.id]);

		const run = await timed('executeWorkflow (manual -> Set -> Code)', () =>
			n8n.executeWorkflow(home, manualWorkflow.id, { expectSuccess: true }),
		);
		log(`execute exit: ${run.cli.code}/${run.cli.signal}${run.cli.crashedOnExit ? ' (n8n crashed on exit after printing the run: tolerated)' : ''}`);
		log(`execute result: status=${run.status} Set=${JSON.stringify(n8n.nodeOutput(run, 'Set'))} Code=${JSON.stringify(n8n.nodeOutput(run, 'Code'))}`);
		assert.strictEqual(run.status, 'success');
		assert.deepStrictEqual(n8n.nodeOutput(run, 'Set'), [{ hello: 'world', n: 42 }]);
		assert.deepStrictEqual(n8n.nodeOutput(run, 'Code'), [{ hello: 'world', n: 42, doubled: 84 }]);

		const failed = await timed('executeWorkflow (failing Code node)', () => n8n.executeWorkflow(home, failingWorkflow.id));
		log(`failing run: status=${failed.status} exit=${failed.cli.code}/${failed.cli.signal} error=${JSON.stringify(n8n.runError(failed).message)}`);
		assert.strictEqual(failed.status, 'error');
		assert.ok(failed.cli.code === 1 || failed.cli.crashedOnExit, `exit ${failed.cli.code}`);
		assert.match(n8n.runError(failed).message, /boom from selftest/);
		await assert.rejects(n8n.executeWorkflow(home, failingWorkflow.id, { expectSuccess: true }), /status error/);

		const cliExecutions = await n8n.readExecutions(home, manualWorkflow.id);
		assert.strictEqual(cliExecutions.length, 1);
		assert.strictEqual(cliExecutions[0].mode, 'cli');
		assert.deepStrictEqual(n8n.nodeOutput(cliExecutions[0], 'Code'), [{ hello: 'world', n: 42, doubled: 84 }]);
		log(`readExecutions: execution ${cliExecutions[0].id} (${cliExecutions[0].status}, ${cliExecutions[0].mode}) read back from SQLite`);

		// ---- 2. throwaway community package
		const pkgDir = path.join(tmp, 'pkg');
		writeThrowawayPackage(pkgDir);
		const tgz = await timed('packPackage', () => n8n.packPackage(pkgDir, tmp));
		const installed = await timed('installPackedPackage', () => n8n.installPackedPackage(home, tgz));
		log(`installed ${installed.name}@${installed.version} into ${installed.dir}`);
		assert.ok(!fs.existsSync(path.join(installed.dir, 'node_modules', 'n8n-workflow')), 'peer dep not installed');
		assert.ok(!fs.existsSync(path.join(home, '.n8n', 'nodes', 'node_modules', 'n8n-workflow')), 'peer dep not installed');
		const ledger = JSON.parse(fs.readFileSync(path.join(home, '.n8n', 'nodes', 'package.json'), 'utf8'));
		assert.strictEqual(ledger.dependencies[PKG], '0.0.1');

		await n8n.importWorkflow(home, packageWorkflow);
		const pkgRun = await timed('executeWorkflow (community package node)', () =>
			n8n.executeWorkflow(home, packageWorkflow.id, { expectSuccess: true }),
		);
		log(`execute exit: ${pkgRun.cli.code}/${pkgRun.cli.signal}${pkgRun.cli.crashedOnExit ? ' (n8n crashed on exit after printing the run: tolerated)' : ''}`);
		const echoed = n8n.nodeOutput(pkgRun, 'Echo');
		log(`package node output: ${JSON.stringify(echoed)}`);
		assert.strictEqual(echoed[0].echoed, 'hi from the package');

		// ---- 3. active workflows under n8n start
		await n8n.importWorkflow(home, [scheduleWorkflow, pollWorkflow]);
		await timed('publishWorkflow x2', async () => {
			await n8n.publishWorkflow(home, scheduleWorkflow.id);
			await n8n.publishWorkflow(home, pollWorkflow.id);
		});
		const wfRow = await n8n.readWorkflow(home, pollWorkflow.id);
		log(`after publish: active=${wfRow.active} activeVersionId=${wfRow.activeVersionId}`);

		const server = await timed('startN8n (until /healthz + "Editor is now accessible")', () => n8n.startN8n(home, { echo }));
		servers.push(server);
		log(`n8n running: pid ${server.pid}, ${server.url}, ready after ${server.startupMs} ms`);

		const scheduled = await timed('waitForExecutions (schedule, 2 runs)', () =>
			n8n.waitForExecutions(home, scheduleWorkflow.id, { count: 2, timeoutMs: 60000, server }),
		);
		log(`schedule executions: ${scheduled.map((e) => `${e.id}:${e.mode}:${e.status}`).join(', ')}`);
		assert.strictEqual(scheduled[0].mode, 'trigger');
		assert.strictEqual(scheduled[0].status, 'success');
		assert.deepStrictEqual(n8n.nodeOutput(scheduled[0], 'Set').map((j) => j.fromSchedule), [true]);

		const polled = await timed('waitForExecutions (polling trigger, 1 run)', () =>
			n8n.waitForExecutions(home, pollWorkflow.id, { count: 1, timeoutMs: 60000, server }),
		);
		log(`poll execution: ${polled[0].id}:${polled[0].mode}:${polled[0].status} output=${JSON.stringify(n8n.nodeOutput(polled[0], 'Poll'))}`);
		assert.strictEqual(polled[0].status, 'success');
		assert.strictEqual(n8n.nodeOutput(polled[0], 'Poll')[0].count, 1);

		const stopped = await timed('stop n8n', () => server.stop());
		log(`n8n stopped: ${JSON.stringify(stopped)}`);
		assert.strictEqual(server.process.exitCode !== null || server.process.signalCode !== null, true);

		const staticData = await n8n.readStaticData(home, pollWorkflow.id);
		const pollerState = await n8n.readPollerState(home, pollWorkflow.id);
		log(`static data after first run: ${JSON.stringify(staticData)}; poller_state: ${JSON.stringify(pollerState)}`);
		assert.strictEqual(staticData['node:Poll'].count, 1);

		// ---- restart: the polling trigger runs again at activation with the saved counter
		const lastId = polled[polled.length - 1].id;
		const server2 = await timed('startN8n again (restart)', () => n8n.startN8n(home, { echo }));
		servers.push(server2);
		const polled2 = await n8n.waitForExecutions(home, pollWorkflow.id, { count: 1, afterId: lastId, timeoutMs: 60000, server: server2 });
		log(`poll after restart: output=${JSON.stringify(n8n.nodeOutput(polled2[0], 'Poll'))}`);
		assert.strictEqual(n8n.nodeOutput(polled2[0], 'Poll')[0].count, 2);
		await server2.stop();
		assert.strictEqual((await n8n.readStaticData(home, pollWorkflow.id))['node:Poll'].count, 2);

		log(`timings (ms): ${JSON.stringify(timings)}`);
		log('ALL CHECKS PASSED');
	} finally {
		for (const server of servers) await server.stop();
		n8n.killAll();
		if (keep) log(`kept: ${[...homes, tmp].join(' ')}`);
		else for (const dir of [...homes, tmp]) n8n.removeN8nHome(dir);
	}
}

main().catch((error) => {
	console.error(`[selftest] FAILED: ${error && error.stack ? error.stack : error}`);
	process.exitCode = 1;
});
