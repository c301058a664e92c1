'use strict';

/** An n8n home (its own folder, settings and environment) and the n8n CLI run in it. */

const fs = require('fs');
const os = require('os');
const path = require('path');

const { paths, assertInstalled } = require('./versions');
const { freePortSync, runProcess } = require('./processes');

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

module.exports = { HOME_CONFIG_FILE, homeConfigs, createN8nHome, configureN8nHome, homeConfig, homePaths, removeN8nHome, DROP_ENV, DROP_ENV_EXACT, n8nEnv, runN8n };
