'use strict';
/**
 * A real npm registry for the install tests: Verdaccio from npm, on loopback, offline (no
 * uplinks), with its own temp storage and config; and this package's releases built from git
 * history and published to it with `npm publish`. CommonJS, Node 20, no project dependencies.
 *
 *   const registry = require('./scripts/n8n/registry');
 *   const v = await registry.startVerdaccio();            // { url, userconfig, publish(tgz), stop() }
 *   const old = await registry.packRelease('0.1.0', dir);  // built from the release's commit
 *   await v.publish(old); await v.publish(current);        // the last one published is `latest`
 *   await v.stop();
 *
 * Verdaccio 6.8.0 (6.10.x wants Node 22) is installed on first use into
 * <cache>/verdaccio-6.8.0 beside the n8n installs (install-n8n.sh's cache folder), with scripts
 * off; about 20 s, then reused. Publishing uses a throwaway user created on that Verdaccio, whose
 * token lives only in a temp npmrc that stop() deletes.
 */
const childProcess = require('child_process');
const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');

const { httpJson } = require('../../test/e2e/support/http');
const { freePortSync } = require('./processes');

const REPO = path.resolve(__dirname, '..', '..');
const VERDACCIO_VERSION = '6.8.0';

/**
 * The released versions this repository's history holds, by the commit each was released from
 * (no tags were pushed for them). 0.1.0: the last commit before the 0.2.0 work started
 * ("Docs: bench duration as measured, not guessed", 2026-11-22). A tag `v<version>` wins when
 * present.
 */
const RELEASE_COMMITS = { '0.1.0': 'fc2a8508fa07a712cf78bc298e0faade99f05445' };

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function cacheDir() {
	return process.env.N8N_CACHE_DIR || path.join(os.homedir(), '.cache', 'n8n-nodes-chatbot-leads');
}

/** An environment for npm without the npm_* variables of an enclosing `npm run`. */
function cleanNpmEnv(extra = {}) {
	const env = {};
	for (const [key, value] of Object.entries(process.env)) if (!/^npm_/i.test(key)) env[key] = value;
	return { ...env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false', ...extra };
}

function run(command, args, { cwd, env, timeoutMs = 300000, allowFailure = false } = {}) {
	return new Promise((resolve, reject) => {
		const started = Date.now();
		const child = childProcess.spawn(command, args, { cwd, env: env || cleanNpmEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
		let stdout = '';
		let stderr = '';
		child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
		child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
		const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
		child.once('error', (error) => {
			clearTimeout(timer);
			reject(error);
		});
		child.once('close', (code, signal) => {
			clearTimeout(timer);
			const result = { code, signal, stdout, stderr, durationMs: Date.now() - started };
			if (code !== 0 && !allowFailure) {
				reject(Object.assign(new Error(`${command} ${args.join(' ')}: exit ${code}${signal ? ` (${signal})` : ''}\n${(stdout + stderr).slice(-4000)}`), result));
			} else resolve(result);
		});
	});
}

// ----------------------------------------------------------------------------- Verdaccio

/** Installs Verdaccio 6.8.0 into the cache when missing. Resolves the path of its bin script. */
async function ensureVerdaccio() {
	const dir = path.join(cacheDir(), `verdaccio-${VERDACCIO_VERSION}`);
	const bin = path.join(dir, 'node_modules', 'verdaccio', 'bin', 'verdaccio');
	const marker = path.join(dir, '.install-complete');
	if (fs.existsSync(marker) && fs.existsSync(bin)) return bin;
	const staging = `${dir}.staging-${process.pid}`;
	fs.rmSync(staging, { recursive: true, force: true });
	fs.mkdirSync(staging, { recursive: true });
	fs.writeFileSync(path.join(staging, 'package.json'), JSON.stringify({ name: 'verdaccio-for-tests', private: true }));
	await run('npm', ['install', `verdaccio@${VERDACCIO_VERSION}`, '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=warn'], {
		cwd: staging,
		env: cleanNpmEnv({ npm_config_ignore_scripts: 'true' }),
		timeoutMs: 600000,
	});
	fs.rmSync(dir, { recursive: true, force: true });
	fs.renameSync(staging, dir);
	fs.writeFileSync(marker, `${new Date().toISOString()}\n`);
	return bin;
}

/**
 * Starts Verdaccio on a free loopback port with a temp folder (config, storage, htpasswd): no
 * uplinks, so it serves only what was published to it; anyone may read, a logged-in user may
 * publish. Creates a throwaway user and writes its token into a temp npmrc.
 * Resolves { url, port, pid, dir, userconfig, startupMs, publish(tgz, {tag}), view(spec), output(), stop() }.
 */
async function startVerdaccio({ timeoutMs = 60000 } = {}) {
	const bin = await ensureVerdaccio();
	const started = Date.now();
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chatbot-leads-verdaccio-'));
	const port = freePortSync();
	const url = `http://127.0.0.1:${port}`;
	const config = [
		`storage: ${path.join(dir, 'storage')}`,
		'auth:',
		'  htpasswd:',
		`    file: ${path.join(dir, 'htpasswd')}`,
		'    max_users: 10',
		'uplinks: {}',
		'packages:',
		"  '**':",
		'    access: $all',
		'    publish: $authenticated',
		'    unpublish: $authenticated',
		'web:',
		'  enable: false',
		'middlewares:',
		'  audit:',
		'    enabled: false',
		'log: { type: stdout, format: json, level: warn }',
		'',
	].join('\n');
	fs.writeFileSync(path.join(dir, 'config.yaml'), config);
	const child = childProcess.spawn(process.execPath, [bin, '--config', path.join(dir, 'config.yaml'), '--listen', `127.0.0.1:${port}`], {
		cwd: dir,
		env: cleanNpmEnv(),
		detached: true,
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let output = '';
	child.stdout.setEncoding('utf8').on('data', (d) => (output += d));
	child.stderr.setEncoding('utf8').on('data', (d) => (output += d));
	const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
	const killGroup = (signal) => {
		try {
			process.kill(-child.pid, signal);
		} catch {
			/* gone */
		}
	};
	process.once('exit', () => killGroup('SIGKILL'));
	let stopped = false;
	const stop = async () => {
		if (stopped) return;
		stopped = true;
		if (child.exitCode === null && child.signalCode === null) {
			killGroup('SIGTERM');
			const done = await Promise.race([exited, sleep(5000).then(() => null)]);
			if (!done) {
				killGroup('SIGKILL');
				await exited;
			}
		}
		fs.rmSync(dir, { recursive: true, force: true });
	};
	try {
		for (;;) {
			if (child.exitCode !== null) throw new Error(`verdaccio exited (${child.exitCode})\n${output.slice(-3000)}`);
			if (Date.now() - started > timeoutMs) throw new Error(`verdaccio did not answer /-/ping within ${timeoutMs} ms\n${output.slice(-3000)}`);
			const ok = await httpJson('GET', `${url}/-/ping`, { allowError: true, timeoutMs: 15000 }).then((res) => res.status === 200, () => false);
			if (ok) break;
			await sleep(200);
		}
		// A throwaway user (what `npm adduser` does); its token goes into a temp npmrc only.
		const password = crypto.randomBytes(12).toString('hex');
		const res = await httpJson('PUT', `${url}/-/user/org.couchdb.user:e2e-publisher`, { body: { name: 'e2e-publisher', password }, allowError: true, timeoutMs: 15000 });
		if (res.status !== 201 || !res.body || !res.body.token) throw new Error(`could not create a Verdaccio user: HTTP ${res.status}`);
		const userconfig = path.join(dir, 'npmrc');
		fs.writeFileSync(userconfig, `registry=${url}/\n//127.0.0.1:${port}/:_authToken=${res.body.token}\n`, { mode: 0o600 });
		return {
			url,
			port,
			pid: child.pid,
			dir,
			userconfig,
			startupMs: Date.now() - started,
			output: () => output,
			/** `npm publish <tgz>` to this registry; without tag, the version becomes `latest`. */
			publish: async (tgz, { tag } = {}) => {
				const args = ['publish', tgz, `--registry=${url}/`, `--userconfig=${userconfig}`, '--ignore-scripts', '--provenance=false', '--access=public'];
				if (tag) args.push(`--tag=${tag}`);
				return run('npm', args, { cwd: dir, timeoutMs: 120000 });
			},
			/** `npm view <spec> --json` against this registry, parsed. */
			view: async (spec) => {
				const result = await run('npm', ['view', spec, '--json', `--registry=${url}/`, `--userconfig=${userconfig}`], { cwd: dir, timeoutMs: 60000 });
				return JSON.parse(result.stdout);
			},
			stop,
		};
	} catch (error) {
		await stop();
		throw error;
	}
}

// ---------------------------------------------------------------------------- releases

function git(args, options = {}) {
	return childProcess.execFileSync('git', ['-C', REPO, ...args], { encoding: 'utf8', maxBuffer: 256 << 20, ...options });
}

/** The commit a release was built from: tag v<version> if present, else RELEASE_COMMITS. */
function releaseCommit(version) {
	for (const ref of [`refs/tags/v${version}`, RELEASE_COMMITS[version]].filter(Boolean)) {
		try {
			return git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { stdio: ['ignore', 'pipe', 'ignore'] }).trim();
		} catch {
			/* not here */
		}
	}
	throw new Error(
		`release ${version}: neither tag v${version} nor commit ${RELEASE_COMMITS[version] || '?'} is in this clone (a shallow clone? fetch the whole history, e.g. actions/checkout with fetch-depth: 0)`,
	);
}

/**
 * Builds and packs a released version from its commit: `git archive` into a temp folder, the
 * dev dependencies (this clone's node_modules when that release's devDependencies are the same,
 * else `npm ci` there), `npm run build`, `npm pack`. Resolves the .tgz path (in destDir).
 */
async function packRelease(version, destDir) {
	const commit = releaseCommit(version);
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), `chatbot-leads-release-${version}-`));
	try {
		const tar = path.join(dir, 'source.tar');
		git(['archive', '--format=tar', `--output=${tar}`, commit]);
		const src = path.join(dir, 'src');
		fs.mkdirSync(src);
		await run('tar', ['-xf', tar, '-C', src]);
		const pkg = JSON.parse(fs.readFileSync(path.join(src, 'package.json'), 'utf8'));
		if (pkg.version !== version) throw new Error(`commit ${commit} has version ${pkg.version}, not ${version}`);
		const current = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
		const sameDevDeps = JSON.stringify(pkg.devDependencies) === JSON.stringify(current.devDependencies);
		if (sameDevDeps && fs.existsSync(path.join(REPO, 'node_modules', 'typescript'))) {
			fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(src, 'node_modules'), 'dir');
		} else {
			await run('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: src, timeoutMs: 900000 });
		}
		await run('npm', ['run', 'build'], { cwd: src, timeoutMs: 600000 });
		const packed = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', destDir], { cwd: src, timeoutMs: 120000 });
		const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('[')));
		return { tgz: path.join(destDir, info.filename), commit, files: info.files.length, size: info.size };
	} finally {
		fs.rmSync(dir, { recursive: true, force: true });
	}
}

module.exports = { VERDACCIO_VERSION, RELEASE_COMMITS, ensureVerdaccio, startVerdaccio, releaseCommit, packRelease, cleanNpmEnv, run };
