/**
 * Acme Bots, a vendor that lives only in the tests: the template for adding a vendor. Its four
 * parts are what a real vendor needs (an adapter in nodes/shared/vendors/, a credential in
 * credentials/, a simulator plug-in in test/simulator/vendors/, a fixture in test/fixtures/);
 * test/vendors/register.ts puts them in place before every test file.
 */
import type { TestVendor } from '../register';
import { acme } from './adapter';
import { acmeFixture } from './fixture';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const plugin = require('./simulator');

export const vendor: TestVendor = { adapter: acme, plugin, fixture: acmeFixture };
