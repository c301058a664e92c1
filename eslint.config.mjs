import tseslint from 'typescript-eslint';

import { scanConfig } from './scripts/scan-config.mjs';

export default [
	{ ignores: ['dist/**', 'node_modules/**', 'coverage/**', '**/*.js', '**/*.mjs'] },
	// Shipped code: exactly what n8n's community-package scanner applies.
	...scanConfig.map((config) => ({ ...config, ignores: [...(config.ignores ?? []), 'test/**', 'scripts/**'] })),
	// This rule crashes on a spread element in `credentials` (it reads every element as an object
	// literal); the Instant Trigger spreads the vendors' credentials there. The scanner lints the
	// compiled files, where the description is not a class field, so it never runs this rule.
	{
		files: ['nodes/ChatbotLeadsInstantTrigger/ChatbotLeadsInstantTrigger.node.ts'],
		rules: { 'n8n-nodes-base/node-class-description-credentials-name-unsuffixed': 'off' },
	},
	// Tests and dev scripts (never shipped): ordinary TypeScript lint.
	...tseslint.configs.recommended.map((config) => ({ ...config, files: ['test/**/*.ts', 'scripts/**/*.ts'] })),
	// The simulator's own tests walk raw JSON replies of four different shapes.
	{ files: ['test/simulator/simulator.test.ts'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
];
