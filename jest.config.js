/** @type {import('jest').Config} */
module.exports = {
	preset: 'ts-jest',
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	// Test-only vendors (test/vendors/*/) join the product's vendor list, the simulator and the fixtures.
	setupFiles: ['<rootDir>/test/vendors/register.ts'],
	transform: { '^.+\\.ts$': ['ts-jest', { isolatedModules: true }] },
	testTimeout: 60000,
	reporters: ['default', '<rootDir>/test/summary-reporter.js'],
};
