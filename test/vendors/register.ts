/**
 * Jest setup (jest.config.js `setupFiles`): every folder under test/vendors/ is a vendor that
 * exists only in the tests. Its index.ts exports `vendor` (a TestVendor); this puts its adapter
 * into the product's vendor list (before any node module is loaded, so node descriptions and
 * vendor texts include it), its simulator plug-in into the simulator, and its fixture (with its
 * credential) into the fixtures every shared test iterates. Adding a vendor folder needs no other edit.
 */
import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';

import { PROVIDERS, WEBHOOK_PROVIDERS } from '../../nodes/shared/vendors';
import type { LeadProvider } from '../../nodes/shared/vendors/types';
import { registerFixture, type VendorFixture } from '../fixtures';
import { registerVendor, type VendorPlugin } from '../simulator';

export interface TestVendor {
	/** The product side: a LeadProvider, as in nodes/shared/vendors/. */
	adapter: LeadProvider;
	/** Its API in the simulator. */
	plugin: VendorPlugin;
	/** What the shared tests need to know; `fixture.credential` is its credential class. */
	fixture: VendorFixture;
}

export function registerTestVendor({ adapter, plugin, fixture }: TestVendor): void {
	if (PROVIDERS.includes(adapter)) return;
	PROVIDERS.push(adapter);
	if (adapter.webhook) WEBHOOK_PROVIDERS.push(adapter);
	registerVendor(plugin);
	registerFixture(fixture);
}

/** The test vendors' folders (each with an index.ts). */
export function testVendorFolders(): string[] {
	return readdirSync(__dirname, { withFileTypes: true })
		.filter((entry) => entry.isDirectory() && existsSync(join(__dirname, entry.name, 'index.ts')))
		.map((entry) => join(__dirname, entry.name));
}

for (const folder of testVendorFolders()) {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	registerTestVendor((require(folder) as { vendor: TestVendor }).vendor);
}
