'use strict';
// The registry and the README npm lines of test/e2e/install.js (see its header).
const fs = require('fs');
const os = require('os');
const path = require('path');
const n8n = require('../../../scripts/n8n/lib');
const registry = require('../../../scripts/n8n/registry');
const s = require('../support');

const { CURRENT, OLD_VERSION, check, expect, note, state } = require('./common');

// --------------------------------------------------------------------------- the registry

async function setUpRegistry() {
	n8n.ensureInstalled({ quiet: false });
	expect(fs.existsSync(path.join(s.REPO, 'dist', 'nodes', 'ChatbotLeadsInstantTrigger', 'ChatbotLeadsInstantTrigger.node.js')), 'dist/ is missing: run npm run build first');
	expect(CURRENT.version !== OLD_VERSION, `package.json still says ${OLD_VERSION}`);
	state.tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'chatbot-leads-e2e-install-'));
	let started = Date.now();
	state.verdaccio = await registry.startVerdaccio();
	note(`Verdaccio ${registry.VERDACCIO_VERSION} on ${state.verdaccio.url} (pid ${state.verdaccio.pid}), ready in ${Date.now() - started} ms (install included when not cached)`);

	await check(`${s.PACKAGE} ${OLD_VERSION} (built from its commit) and ${CURRENT.version} are published to Verdaccio with npm publish; latest is ${CURRENT.version}`, async () => {
		started = Date.now();
		const old = await registry.packRelease(OLD_VERSION, state.tmp);
		note(`built and packed ${OLD_VERSION} from ${old.commit.slice(0, 7)} in ${Date.now() - started} ms (${old.files} files, ${old.size} bytes)`);
		const current = await n8n.packPackage(s.REPO, state.tmp);
		started = Date.now();
		await state.verdaccio.publish(old.tgz);
		await state.verdaccio.publish(current);
		note(`npm publish of both versions took ${Date.now() - started} ms`);
		const view = await state.verdaccio.view(s.PACKAGE);
		expect(JSON.stringify(view.versions) === JSON.stringify([OLD_VERSION, CURRENT.version]), `versions ${JSON.stringify(view.versions)}`);
		expect(view['dist-tags'].latest === CURRENT.version, `latest is ${view['dist-tags'].latest}`);
	});
}

// ------------------------------------------------------------------------ npm install lines

/** Runs an `npm install …` command line in an empty folder against Verdaccio. */
async function npmInstallIn(commandLine) {
	const dir = fs.mkdtempSync(path.join(state.tmp, 'npm-line-'));
	const args = commandLine.trim().split(/\s+/).slice(1); // after `npm`
	const userconfig = path.join(dir, '.npmrc-empty');
	fs.writeFileSync(userconfig, '');
	const result = await registry.run('npm', args, {
		cwd: dir,
		env: registry.cleanNpmEnv({ npm_config_registry: `${state.verdaccio.url}/`, npm_config_cache: path.join(dir, '.npm-cache'), npm_config_userconfig: userconfig }),
		allowFailure: true,
		timeoutMs: 180000,
	});
	const installed = (name) => {
		try {
			return JSON.parse(fs.readFileSync(path.join(dir, 'node_modules', name, 'package.json'), 'utf8')).version;
		} catch {
			return null;
		}
	};
	return { ...result, ours: installed(s.PACKAGE), workflow: installed('n8n-workflow') };
}

async function npmLinesPart() {
	const readme = fs.readFileSync(path.join(s.REPO, 'README.md'), 'utf8');
	const lines = [...new Set(readme.match(/npm install n8n-nodes-chatbot-leads[^`\n]*/g) || [])].map((l) => l.replace(/[\s.,;)]+$/, ''));
	await check(`the README's npm install lines agree: ${lines.map((l) => `\`${l}\``).join(', ')}`, () => {
		expect(lines.length >= 2, `found ${lines.length} lines`);
		const flags = new Set(lines.map((l) => l.split(/\s+/).filter((w) => w.startsWith('--')).sort().join(' ')));
		expect(flags.size === 1 && [...flags][0].includes('--legacy-peer-deps'), `the lines differ in their flags: ${[...flags].join(' | ')}`);
		const pins = readme.match(/n8n-nodes-chatbot-leads@\d+\.\d+\.\d+/g) || [];
		const wrong = pins.filter((p) => p !== `${s.PACKAGE}@${CURRENT.version}`);
		expect(wrong.length === 0, `the README pins ${[...new Set(wrong)].join(', ')}, not ${CURRENT.version}`);
	});
	for (const line of lines) {
		await check(`README line \`${line}\` against the registry: ${s.PACKAGE} ${CURRENT.version} alone, no n8n-workflow`, async () => {
			const result = await npmInstallIn(line);
			expect(result.code === 0, `exit ${result.code}: ${(result.stdout + result.stderr).slice(-800)}`);
			expect(result.ours === CURRENT.version, `installed ${result.ours}`);
			expect(result.workflow === null, `n8n-workflow ${result.workflow} was installed too`);
			note(`\`${line}\`: ${result.stdout.trim().split('\n').pop()} (${result.durationMs} ms)`);
		});
	}
	await check('without --legacy-peer-deps npm asks the registry for the n8n-workflow peer (n8n has its own copy): the reason the README lines carry the flag', async () => {
		const result = await npmInstallIn(`npm install ${s.PACKAGE}`);
		const text = result.stdout + result.stderr;
		expect(result.code !== 0 && /n8n-workflow/.test(text), `exit ${result.code}, ours ${result.ours}, n8n-workflow ${result.workflow}: ${text.slice(-600)}`);
		note(`\`npm install ${s.PACKAGE}\`: exit ${result.code}, ${(text.match(/.*(E404|404).*/) || ['?'])[0].trim().slice(0, 160)}`);
	});
}

module.exports = { setUpRegistry, npmLinesPart };
