'use strict';

/** Packing this package and installing the tarball into an n8n home, as Settings > Community Nodes does. */

const childProcess = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const { runProcess } = require('./processes');
const { assertInstalled } = require('./versions');
const { homeConfig, n8nEnv } = require('./home');

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

module.exports = { readTarballPackageJson, packPackage, installPackedPackage };
