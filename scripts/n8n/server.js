'use strict';

/** Starting n8n (main and worker) and waiting until it serves. */

const http = require('http');

const { n8nEnv, homePaths } = require('./home');
const { assertInstalled } = require('./versions');
const { spawnTracked, killGroup, tail } = require('./processes');

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

module.exports = { httpGetStatus, sleep, withTimeout, startN8n, startN8nWorker, launchN8n };
