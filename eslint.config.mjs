import tseslint from 'typescript-eslint';

import { scanConfig } from './scripts/scan-config.mjs';

export default [
	{ ignores: ['dist/**', 'node_modules/**', 'coverage/**', '**/*.js', '**/*.mjs'] },
	// Shipped code: exactly what n8n's community-package scanner applies.
	...scanConfig.map((config) => ({ ...config, ignores: [...(config.ignores ?? []), 'test/**', 'scripts/**'] })),
	// Tests and dev scripts (never shipped): ordinary TypeScript lint.
	...tseslint.configs.recommended.map((config) => ({ ...config, files: ['test/**/*.ts', 'scripts/**/*.ts'] })),
	// The simulator's own tests walk raw JSON replies of four different shapes.
	{ files: ['test/simulator/simulator.test.ts'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
];
