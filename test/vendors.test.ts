/**
 * Test-only vendors (test/vendors/*, Acme Bots) join everything by jest setupFiles alone: the
 * product's vendor list and the node's Vendor options, the simulator, and the shared fixtures.
 */
import { ChatbotLeads } from '../nodes/ChatbotLeads/ChatbotLeads.node';
import { PROVIDERS } from '../nodes/shared/vendors';
import { ALL_CREDENTIALS, BUILT_IN_FIXTURES, FIXTURES } from './fixtures';
import { PREFIXES, VENDORS } from './simulator';
import { testVendorFolders } from './vendors/register';

test('every folder of test/vendors is a registered vendor, after the four built-ins', () => {
	expect(testVendorFolders().map((folder) => folder.split(/[\\/]/).pop())).toContain('acme');
	const extra = FIXTURES.slice(BUILT_IN_FIXTURES.length);
	expect(extra.map((fixture) => fixture.vendor)).toEqual(expect.arrayContaining(['acme']));
	for (const fixture of extra) {
		expect(PROVIDERS.map((provider) => provider.name)).toContain(fixture.vendor);
		expect(VENDORS).toContain(fixture.vendor);
		expect(PREFIXES[fixture.vendor]).toMatch(/^\//);
		expect(ALL_CREDENTIALS).toContain(fixture.credential);
	}
});

test("the node's Vendor options are the adapters', test-only vendors included", () => {
	const provider = new ChatbotLeads().description.properties.find((property) => property.name === 'provider');
	expect(provider?.options).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'Acme Bots', value: 'acme' })]));
});
