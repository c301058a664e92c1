#!/usr/bin/env node
'use strict';
/**
 * The install as a person does it, in a real Chromium (issue 22): against a real n8n 2.41.1 and a
 * Verdaccio holding this package (scripts/n8n/registry.js), it goes Settings > Community Nodes >
 * Install with the package name, creates a Chatbase credential and sees its test pass, adds the
 * Chatbot Leads node to a new workflow, picks a chatbot From list and runs the node. The
 * screenshots of that run are the README's (docs/*.png). Not part of CI (about 2 minutes).
 *
 *   # once, outside the repo (playwright-core is not a dependency of this package):
 *   mkdir -p /tmp/pw && (cd /tmp/pw && npm init -y && npm install playwright-core)
 *   apt-get install -y chromium            # Debian's Chromium, /usr/bin/chromium
 *
 *   npm run build && PLAYWRIGHT_CORE=/tmp/pw/node_modules/playwright-core node scripts/n8n/community-install-ui.js
 *
 * Environment: PLAYWRIGHT_CORE (required), CHROMIUM_PATH (default /usr/bin/chromium),
 * SCREENSHOT_DIR (default docs/), E2E_ECHO=1 (n8n's output to stderr).
 * Writes docs/n8n-community-install.png (the package installed on the Community Nodes page),
 * docs/n8n-credential-test.png (the credential saved, its test passed), docs/n8n-node-panel.png
 * (the node's panel after the run: the chatbot picked From list, the leads) and
 * docs/n8n-editor.png (the workflow on the canvas after the run).
 * n8n runs with E2E_TESTS=true only to turn on the licence feature a custom registry needs
 * (../shared/n8n-real-install.md); the install itself is n8n's ordinary code.
 */
const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');

const n8n = require('./lib');
const registry = require('./registry');
const s = require('../../test/e2e/support');

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const OUT_DIR = process.env.SCREENSHOT_DIR || path.join(s.REPO, 'docs');
const CHROMIUM_FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const t0 = Date.now();
const log = (msg) => console.log(`[community-install-ui ${((Date.now() - t0) / 1000).toFixed(0).padStart(3)}s] ${msg}`);

function loadPlaywright() {
	if (!process.env.PLAYWRIGHT_CORE) throw new Error('set PLAYWRIGHT_CORE to an installed playwright-core (see the top of this file)');
	return require(path.resolve(process.env.PLAYWRIGHT_CORE));
}

/** The E2E MODE frame and badge n8n draws with E2E_TESTS=true do not belong in the README's pictures. */
async function hideE2eMarker(page) {
	await page.addStyleTag({ content: '[data-test-id="e2e-test-mode-marker"] { display: none !important; }' });
}

async function shot(page, name) {
	await hideE2eMarker(page).catch(() => {});
	const file = path.join(OUT_DIR, name);
	await page.screenshot({ path: file });
	log(`wrote ${path.relative(s.REPO, file)}`);
}

async function logIn(page, url, email, password) {
	await page.goto(`${url}/signin`);
	await page.fill('#emailOrLdapLoginId', email);
	await page.fill('#password', password);
	await page.click('[data-test-id="form-submit-button"]');
	await page.waitForURL((u) => !u.pathname.includes('signin'), { timeout: 30000 });
	log(`logged in as ${email}`);
}

/** Settings > Community Nodes > Install: the package name, the risk box, Install. */
async function installPackage(page, url) {
	await page.goto(`${url}/settings/community-nodes`);
	const install = page.getByRole('button', { name: /install/i }).first();
	await install.waitFor({ timeout: 30000 });
	await install.click();
	const modal = page.locator('[data-test-id="communityPackageInstall-modal"]');
	await modal.waitFor({ timeout: 15000 });
	await modal.locator('input').first().fill(s.PACKAGE);
	await modal.locator('[data-test-id="user-agreement-checkbox"]').click();
	await modal.locator('[data-test-id="install-community-package-button"]').click();
	await page.locator('[data-test-id="community-package-card"]', { hasText: s.PACKAGE }).waitFor({ timeout: 120000 });
	await modal.waitFor({ state: 'detached', timeout: 30000 }).catch(() => {});
	await page.waitForTimeout(1500);
	log('installed through Settings > Community Nodes');
	await shot(page, 'n8n-community-install.png');
}

/** Credentials > Create: Chatbase API with the simulator's key and URL, saved and tested. */
async function createCredential(page, url, sim) {
	await page.goto(`${url}/home/credentials/create`);
	const picker = page.locator('[data-test-id="selectCredential-modal"]');
	await picker.waitFor({ timeout: 30000 });
	await picker.locator('input').first().fill('Chatbase');
	await page.getByText('Chatbase API', { exact: true }).first().click();
	await picker.locator('[data-test-id="new-credential-type-button"]').click();
	const modal = page.locator('[data-test-id="editCredential-modal"]');
	await modal.waitFor({ timeout: 15000 });
	await fillParameter(modal, 'apiKey', sim.keys.chatbase);
	await fillParameter(modal, 'baseUrl', sim.baseUrls.chatbase);
	await modal.locator('[data-test-id="credential-save-button"]').click();
	await modal.getByText(/Connection tested successfully/i).waitFor({ timeout: 60000 });
	await page.waitForTimeout(800);
	log('credential saved, its test passed');
	await shot(page, 'n8n-credential-test.png');
	await page.keyboard.press('Escape');
	await modal.waitFor({ state: 'detached', timeout: 10000 }).catch(() => {});
}

async function fillParameter(scope, name, value) {
	const input = scope.locator(`[data-test-id="parameter-input-${name}"] input, [data-test-id="parameter-input-${name}"] textarea`).first();
	await input.click();
	await input.fill(value);
}

/** A new workflow: the Chatbot Leads node (Get Leads), a chatbot From list, Execute step. */
async function addNodeAndRun(page, url) {
	await page.goto(`${url}/workflow/new`);
	await page.locator('[data-test-id="canvas-add-button"]').first().click({ timeout: 60000 });
	const search = page.locator('[data-test-id="node-creator-search-bar"] input, input[placeholder*="Search"]').first();
	await search.fill('Chatbot Leads');
	await page.locator('[data-test-id="node-creator-item-name"]', { hasText: /^Chatbot Leads$/ }).first().click();
	// A community node first shows its details panel: Add to workflow.
	const add = page.getByRole('button', { name: /Add to workflow/i });
	if (await add.isVisible({ timeout: 5000 }).catch(() => false)) await add.click();
	const ndv = page.locator('[data-test-id="ndv"]');
	if (!(await ndv.isVisible({ timeout: 5000 }).catch(() => false))) {
		await page.screenshot({ path: path.join(os.tmpdir(), 'n8n-ui-after-add.png') });
		// An actions list: the node's one operation.
		await page.locator('[data-test-id="node-creator-action-item"], [data-test-id="node-creator-item-name"]').first().click();
	}
	await ndv.waitFor({ timeout: 30000 });
	// Provider: Chatbase is the default; the credential made above is picked.
	const locator = ndv.locator('[data-test-id="resource-locator-chatbotId"], [data-test-id="parameter-input-chatbotId"]').first();
	await locator.waitFor({ timeout: 15000 });
	await ndv.locator('input[placeholder^="Select a chatbot"]').first().click();
	const item = page.locator('[data-test-id="rlc-item"]').first();
	await item.waitFor({ timeout: 30000 });
	log(`From list offers: ${(await page.locator('[data-test-id="rlc-item"]').allInnerTexts()).map((x) => x.trim()).join(' | ')}`);
	await item.click();
	await ndv.locator('[data-test-id="node-execute-button"]').first().click();
	await ndv.getByText(/\d+ items?/).first().waitFor({ timeout: 60000 });
	await page.waitForTimeout(1500);
	log('ran the node');
	await shot(page, 'n8n-node-panel.png');
	await page.keyboard.press('Escape');
	await ndv.waitFor({ state: 'hidden', timeout: 10000 }).catch(() => {});
	await page.click('[data-test-id="zoom-to-fit"]').catch(() => {});
	await page.mouse.move(720, 120);
	await page.waitForTimeout(1500);
	await shot(page, 'n8n-editor.png');
}

async function main() {
	const { chromium } = loadPlaywright();
	n8n.ensureInstalled({ quiet: false });
	fs.mkdirSync(OUT_DIR, { recursive: true });
	const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'chatbot-leads-ui-install-'));
	let verdaccio;
	let sim;
	let server;
	let context;
	let home;
	let page;
	try {
		verdaccio = await registry.startVerdaccio();
		await verdaccio.publish(await n8n.packPackage(s.REPO, tmp));
		log(`Verdaccio ${verdaccio.url} holds ${s.PACKAGE}@${(await verdaccio.view(s.PACKAGE))['dist-tags'].latest}`);
		sim = await s.startSimulator({ seed: true });
		home = n8n.createN8nHome('chatbot-leads-ui-install-', {
			env: { E2E_TESTS: 'true', N8N_COMMUNITY_PACKAGES_REGISTRY: verdaccio.url, npm_config_cache: path.join(tmp, 'npm-cache') },
		});
		server = await n8n.startN8n(home, { echo: process.env.E2E_ECHO === '1' ? '[n8n] ' : false });
		const email = 'owner@example.com';
		const password = `Ui-${crypto.randomBytes(8).toString('hex')}A1`;
		const rest = new s.N8nRestClient(server.url);
		await rest.setupOwner({ email, password, firstName: 'Ada', lastName: 'Owner' });
		await s.httpJson('PATCH', `${server.url}/rest/e2e/feature`, { body: { feature: 'feat:communityNodes:customRegistry', enabled: true } });
		log(`n8n ${n8n.DEFAULT_VERSION} at ${server.url}, registry ${verdaccio.url}`);

		const profile = fs.mkdtempSync(path.join(tmp, 'chromium-'));
		context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS, viewport: { width: 1440, height: 860 } });
		page = context.pages()[0] || (await context.newPage());
		await logIn(page, server.url, email, password);
		await installPackage(page, server.url);
		await createCredential(page, server.url, sim);
		await addNodeAndRun(page, server.url);
		log('done');
	} catch (error) {
		if (page) {
			const debugPng = path.join(os.tmpdir(), 'n8n-community-install-ui-failed.png');
			await page.screenshot({ path: debugPng }).catch(() => {});
			error.message += `\n(the page at that moment: ${debugPng})`;
		}
		throw error;
	} finally {
		if (context) await context.close().catch(() => {});
		if (server) await server.stop().catch(() => {});
		if (sim) await sim.stop().catch(() => {});
		if (verdaccio) await verdaccio.stop().catch(() => {});
		n8n.killAll();
		s.killChildren();
		if (home) n8n.removeN8nHome(home);
		fs.rmSync(tmp, { recursive: true, force: true });
	}
}

main().catch((error) => {
	console.error(`[community-install-ui] failed: ${error && error.stack ? error.stack : error}`);
	process.exitCode = 1;
});
