'use strict';
/**
 * Postgres and Redis for the real-n8n tests, as ordinary processes: each on a random free
 * loopback port, in a private temp folder, stopped by its own process id. CommonJS, no deps.
 *
 *   const { startPostgres, startRedis } = require('./scripts/n8n/services');
 *   const pg = await startPostgres();          // { host, port, user, dir, pid, createDatabase(name), stop() }
 *   await pg.createDatabase('n8n');
 *   const redis = await startRedis();           // { host, port, dir, pid, stop() }
 *   await redis.stop(); await pg.stop();
 *
 * Postgres: the Debian postgresql-15 binaries (/usr/lib/postgresql/15/bin, or POSTGRES_BIN_DIR).
 * It refuses to run as root, so when we are root the server runs as the `postgres` user (spawned
 * with that uid; the data folder is chowned to it). Trust auth on 127.0.0.1 only; fsync off (a
 * throwaway test database: the tests kill n8n, never Postgres).
 * Redis: `redis-server` from PATH (Debian package redis-server), no persistence.
 * Processes are killed on exit / SIGINT / SIGTERM if still running.
 */
const childProcess = require('child_process');
const fs = require('fs');
const net = require('net');
const os = require('os');
const path = require('path');

const LOOPBACK = '127.0.0.1';
const running = new Set();
let exitHookInstalled = false;

function installExitHook() {
	if (exitHookInstalled) return;
	exitHookInstalled = true;
	process.on('exit', () => {
		for (const child of running) {
			try {
				process.kill(child.pid, 'SIGKILL');
			} catch {
				/* gone */
			}
		}
	});
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function freePort() {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.once('error', reject);
		server.listen(0, LOOPBACK, () => {
			const { port } = server.address();
			server.close(() => resolve(port));
		});
	});
}

function canConnect(port) {
	return new Promise((resolve) => {
		const socket = net.connect({ host: LOOPBACK, port });
		socket.once('connect', () => {
			socket.destroy();
			resolve(true);
		});
		socket.once('error', () => resolve(false));
	});
}

function spawnService(command, args, options) {
	installExitHook();
	const child = childProcess.spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
	running.add(child);
	let output = '';
	const keep = (chunk) => {
		output += chunk;
		if (output.length > 200000) output = output.slice(-100000);
	};
	child.stdout.setEncoding('utf8').on('data', keep);
	child.stderr.setEncoding('utf8').on('data', keep);
	const exited = new Promise((resolve) =>
		child.once('exit', (code, signal) => {
			running.delete(child);
			resolve({ code, signal });
		}),
	);
	child.once('error', () => running.delete(child));
	return { child, exited, output: () => output };
}

/** Sends `signal` to the process, waits up to graceMs for it to exit, then SIGKILLs it. */
async function stopProcess(service, signal, graceMs = 15000) {
	const { child, exited } = service;
	if (child.exitCode !== null || child.signalCode !== null) return;
	try {
		process.kill(child.pid, signal);
	} catch {
		return;
	}
	const done = await Promise.race([exited, sleep(graceMs).then(() => null)]);
	if (!done) {
		try {
			process.kill(child.pid, 'SIGKILL');
		} catch {
			/* gone */
		}
		await exited;
	}
}

async function waitUntil(test, { timeoutMs, what, service }) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		if (await test()) return;
		if (service && service.child.exitCode !== null) throw new Error(`${what}: the process exited (${service.child.exitCode})\n${service.output().slice(-3000)}`);
		if (Date.now() > deadline) throw new Error(`${what}: not ready within ${timeoutMs} ms\n${service ? service.output().slice(-3000) : ''}`);
		await sleep(200);
	}
}

function runSync(command, args, options = {}) {
	const result = childProcess.spawnSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...options });
	if (result.status !== 0) {
		throw new Error(`${command} ${args.join(' ')}: exit ${result.status}${result.error ? ` (${result.error.message})` : ''}\n${result.stdout}${result.stderr}`);
	}
	return result.stdout;
}

// ------------------------------------------------------------------------------ Postgres

function postgresBinDir() {
	if (process.env.POSTGRES_BIN_DIR) return process.env.POSTGRES_BIN_DIR;
	const root = '/usr/lib/postgresql';
	const versions = fs.existsSync(root) ? fs.readdirSync(root).filter((v) => fs.existsSync(path.join(root, v, 'bin', 'postgres'))) : [];
	versions.sort((a, b) => Number(b) - Number(a));
	if (!versions.length) throw new Error('no Postgres server found in /usr/lib/postgresql/*/bin (Debian package postgresql-15); set POSTGRES_BIN_DIR');
	return path.join(root, versions[0], 'bin');
}

/** uid/gid to run Postgres as: ourselves unless we are root, then the `postgres` user. */
function postgresUser() {
	if (typeof process.getuid !== 'function' || process.getuid() !== 0) return null;
	const uid = Number(runSync('id', ['-u', 'postgres']).trim());
	const gid = Number(runSync('id', ['-g', 'postgres']).trim());
	return { uid, gid };
}

/**
 * initdb + postgres on a free port. Resolves { host, port, user: 'postgres', dir, pid,
 * createDatabase(name), stop(), output() }. stop() asks for a fast shutdown (SIGINT to the
 * postmaster, by pid) and removes the folder.
 */
async function startPostgres({ timeoutMs = 60000 } = {}) {
	const bin = postgresBinDir();
	const owner = postgresUser();
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chatbot-leads-pg-'));
	const dataDir = path.join(dir, 'data');
	const asOwner = owner ? { uid: owner.uid, gid: owner.gid } : {};
	if (owner) fs.chownSync(dir, owner.uid, owner.gid);
	const env = { PATH: process.env.PATH, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8', HOME: dir };
	const started = Date.now();
	try {
		runSync(path.join(bin, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--no-sync'], { cwd: dir, env, ...asOwner });
	} catch (error) {
		fs.rmSync(dir, { recursive: true, force: true });
		throw error;
	}
	let lastError;
	for (let attempt = 0; attempt < 3; attempt++) {
		const port = await freePort();
		const service = spawnService(
			path.join(bin, 'postgres'),
			['-D', dataDir, '-p', String(port), '-k', dir, '-c', `listen_addresses=${LOOPBACK}`, '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=200'],
			{ cwd: dir, env, ...asOwner },
		);
		try {
			await waitUntil(
				async () => runPgIsReady(bin, port),
				{ timeoutMs, what: `postgres on ${LOOPBACK}:${port}`, service },
			);
		} catch (error) {
			lastError = error;
			await stopProcess(service, 'SIGKILL', 2000);
			if (/could not bind|already in use/i.test(service.output())) continue; // port raced away: retry
			break;
		}
		const stop = async () => {
			await stopProcess(service, 'SIGINT'); // fast shutdown
			fs.rmSync(dir, { recursive: true, force: true });
		};
		return {
			host: LOOPBACK,
			port,
			user: 'postgres',
			dir,
			pid: service.child.pid,
			startupMs: Date.now() - started,
			output: service.output,
			createDatabase: async (name) => {
				runSync(path.join(bin, 'createdb'), ['-h', LOOPBACK, '-p', String(port), '-U', 'postgres', name], { env });
				return name;
			},
			stop,
		};
	}
	fs.rmSync(dir, { recursive: true, force: true });
	throw lastError;
}

function runPgIsReady(bin, port) {
	const result = childProcess.spawnSync(path.join(bin, 'pg_isready'), ['-h', LOOPBACK, '-p', String(port), '-q'], { stdio: 'ignore' });
	return result.status === 0;
}

// --------------------------------------------------------------------------------- Redis

function redisServerPath() {
	const which = childProcess.spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
	const found = which.status === 0 && which.stdout.trim();
	if (!found) throw new Error('redis-server is not installed (Debian: apt-get install -y redis-server)');
	return found;
}

/** redis-server on a free port, no persistence. Resolves { host, port, dir, pid, stop(), output() }. */
async function startRedis({ timeoutMs = 30000 } = {}) {
	const bin = redisServerPath();
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chatbot-leads-redis-'));
	const started = Date.now();
	let lastError;
	for (let attempt = 0; attempt < 3; attempt++) {
		const port = await freePort();
		const service = spawnService(
			bin,
			['--port', String(port), '--bind', LOOPBACK, '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no', '--protected-mode', 'yes'],
			{ cwd: dir },
		);
		try {
			await waitUntil(() => canConnect(port), { timeoutMs, what: `redis-server on ${LOOPBACK}:${port}`, service });
		} catch (error) {
			lastError = error;
			await stopProcess(service, 'SIGKILL', 2000);
			if (/in use|bind/i.test(service.output())) continue;
			break;
		}
		return {
			host: LOOPBACK,
			port,
			dir,
			pid: service.child.pid,
			startupMs: Date.now() - started,
			output: service.output,
			stop: async () => {
				await stopProcess(service, 'SIGTERM');
				fs.rmSync(dir, { recursive: true, force: true });
			},
		};
	}
	fs.rmSync(dir, { recursive: true, force: true });
	throw lastError;
}

module.exports = { startPostgres, startRedis, freePort, postgresBinDir };
