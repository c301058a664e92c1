#!/usr/bin/env node
'use strict';
/**
 * Screenshots of the n8n editor for the README, taken with headless Chromium from the local
 * instance that `npm run n8n` runs (it must be running; this script only reads and clicks).
 *
 *   # once, outside the repo (playwright-core is not a dependency of this package):
 *   mkdir -p /tmp/pw && (cd /tmp/pw && npm init -y && npm install playwright-core)
 *   apt-get install -y chromium            # Debian's Chromium, /usr/bin/chromium
 *
 *   PLAYWRIGHT_CORE=/tmp/pw/node_modules/playwright-core node scripts/n8n/screenshot.js
 *
 * Environment:
 *   PLAYWRIGHT_CORE  path to an installed playwright-core package (required)
 *   CHROMIUM_PATH    the browser (default /usr/bin/chromium)
 *   N8N_LOGIN_FILE   the login written by local.js (default ~/.cache/n8n-nodes-chatbot-leads/local-home/login.json)
 *   SCREENSHOT_DIR   where to write (default docs/ of this repo)
 *
 * Writes docs/n8n-editor.png (the "Leads to a sheet" workflow after one run, with the Chatbot
 * Leads node on the canvas), docs/n8n-node-panel.png (the Chatbot Leads node's panel open:
 * its parameters and the leads it returned), docs/n8n-trigger-panel.png (the Chatbot Leads
 * Trigger's panel in "New lead to Slack-style message", after Fetch Test Event) and
 * docs/n8n-instant-trigger-panel.png (the Chatbot Leads Instant Trigger's panel in "Instant lead
 * to Slack-style message").
 */
const fs = require('fs');
const os = require('os');
const path = require('path');

const REPO = path.resolve(__dirname, '..', '..');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const LOGIN_FILE =
	process.env.N8N_LOGIN_FILE || path.join(os.homedir(), '.cache', 'n8n-nodes-chatbot-leads', 'local-home', 'login.json');
const OUT_DIR = process.env.SCREENSHOT_DIR || path.join(REPO, 'docs');
const WORKFLOW_NAME = 'Leads to a sheet';
const CHROMIUM_FLAGS = [
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
];
const log = (msg) => console.log(`[screenshot] ${msg}`);

function loadPlaywright() {
	if (!process.env.PLAYWRIGHT_CORE) {
		throw new Error('set PLAYWRIGHT_CORE to an installed playwright-core (see the top of this file)');
	}
	return require(path.resolve(process.env.PLAYWRIGHT_CORE));
}

async function logIn(page, login) {
	await page.goto(`${login.url}/signin`);
	await page.fill('#emailOrLdapLoginId', login.email);
	await page.fill('#password', login.password);
	await page.click('[data-test-id="form-submit-button"]');
	await page.waitForURL((url) => !url.pathname.includes('signin'), { timeout: 30000 });
	log(`logged in as ${login.email}`);
}

async function openWorkflow(page, login, name = WORKFLOW_NAME, nodeName = 'Chatbot Leads') {
	const workflow = login.workflows.find((w) => w.name === name);
	if (!workflow) throw new Error(`no workflow "${name}" in ${LOGIN_FILE}`);
	await page.goto(`${login.url}/workflow/${workflow.id}`);
	await page.waitForSelector('[data-test-id="canvas-node"]', { timeout: 60000 });
	await page.getByText(nodeName, { exact: true }).first().waitFor({ timeout: 30000 });
}

/** Opens a trigger's panel in another workflow (optionally runs its test button) and writes `file`. */
async function triggerPanel(page, login, { workflow, node, file, execute }) {
	await openWorkflow(page, login, workflow, node);
	await page.locator('[data-test-id="canvas-node"]', { hasText: node }).first().dblclick();
	await page.waitForSelector('[data-test-id="ndv"]', { timeout: 30000 });
	if (execute) {
		// Fetch Test Event: a sample lead in the output pane. The picture is worth taking without it.
		await page.locator('[data-test-id="node-execute-button"]').first().click({ timeout: 10000 }).catch(() => log(`no test button for ${node}`));
		await page.getByText(/^\d+ items?$/).first().waitFor({ timeout: 30000 }).catch(() => log(`no test output for ${node}`));
	}
	await page.waitForTimeout(1500);
	const png = path.join(OUT_DIR, file);
	await page.screenshot({ path: png });
	log(`wrote ${png}`);
}

/** Runs the workflow once, so the canvas shows item counts and the panel shows output. */
async function executeWorkflow(page) {
	await page.click('[data-test-id="execute-workflow-button"]');
	// Edge labels such as "25 items" appear on both connections once the run finished.
	const labels = page.getByText(/^\d+ items?$/);
	const deadline = Date.now() + 60000;
	while ((await labels.count()) < 3) {
		if (Date.now() > deadline) throw new Error('the workflow run did not finish within 60 s');
		await page.waitForTimeout(500);
	}
	log('executed the workflow');
}

async function closeLogsPanel(page) {
	// After a run n8n may open the logs panel at the bottom; a plain canvas reads better.
	const toggle = page.locator('[data-test-id="logs-overview-header"]');
	if (await page.locator('[data-test-id="logs-overview-body"]').isVisible().catch(() => false)) {
		await toggle.click().catch(() => {});
	}
	await page.keyboard.press('Escape');
	await page.mouse.click(5, 450); // away from nodes, clears a selection
}

async function main() {
	const { chromium } = loadPlaywright();
	const login = JSON.parse(fs.readFileSync(LOGIN_FILE, 'utf8'));
	fs.mkdirSync(OUT_DIR, { recursive: true });
	const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'chromium-profile-'));
	const context = await chromium.launchPersistentContext(profile, {
		executablePath: CHROMIUM,
		headless: true,
		args: CHROMIUM_FLAGS,
		viewport: { width: 1440, height: 860 },
	});
	const page = context.pages()[0] || (await context.newPage());
	page.on('dialog', (dialog) => dialog.accept().catch(() => {})); // "leave the page?" between workflows
	try {
		await logIn(page, login);
		await openWorkflow(page, login);
		await executeWorkflow(page);
		await closeLogsPanel(page);
		await page.click('[data-test-id="zoom-to-fit"]').catch(() => {});
		await page.mouse.move(720, 120); // no hover highlight in the picture
		await page.locator('[data-test-id="canvas-wrapper"]').click({ position: { x: 700, y: 100 } }).catch(() => {});
		await page.waitForTimeout(1500);
		const editorPng = path.join(OUT_DIR, 'n8n-editor.png');
		await page.screenshot({ path: editorPng });
		log(`wrote ${editorPng}`);

		await page.locator('[data-test-id="canvas-node"]', { hasText: 'Chatbot Leads' }).first().dblclick();
		await page.waitForSelector('[data-test-id="ndv"]', { timeout: 30000 });
		await page.waitForTimeout(1500);
		const panelPng = path.join(OUT_DIR, 'n8n-node-panel.png');
		await page.screenshot({ path: panelPng });
		log(`wrote ${panelPng}`);

		await triggerPanel(page, login, {
			workflow: 'New lead to Slack-style message',
			node: 'Chatbot Leads Trigger',
			file: 'n8n-trigger-panel.png',
			execute: true,
		});
		await triggerPanel(page, login, {
			workflow: 'Instant lead to Slack-style message',
			node: 'Chatbot Leads Instant Trigger',
			file: 'n8n-instant-trigger-panel.png',
			execute: false,
		});
	} catch (error) {
		const debugPng = path.join(os.tmpdir(), 'n8n-screenshot-failed.png');
		await page.screenshot({ path: debugPng }).catch(() => {});
		throw new Error(`${error.message}\n(the page at that moment: ${debugPng})`);
	} finally {
		await context.close();
		fs.rmSync(profile, { recursive: true, force: true });
	}
}

main().catch((error) => {
	console.error(`[screenshot] failed: ${error && error.stack ? error.stack : error}`);
	process.exitCode = 1;
});
