/** What `npm pack` would publish: only what n8n loads, scanned the way n8n's scanner does. */
import { execFileSync } from 'child_process';

const root = `${__dirname}/..`;

beforeAll(() => {
	execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'pipe' });
}, 120_000);

test('the package holds dist, the entry file and docs only: no tests, sources, maps or keys', () => {
	const [info] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json'], { cwd: root, encoding: 'utf8' }));
	const files: string[] = info.files.map((file: { path: string }) => file.path);
	expect(files).toEqual(expect.arrayContaining(['package.json', 'index.js', 'README.md', 'LICENSE']));
	for (const file of files) {
		expect(file).toMatch(/^(package\.json|index\.js|README\.md|LICENSE|CHANGELOG\.md|dist\/(nodes|credentials|icons)\/.+\.(js|svg|json))$/);
	}
	// No test code (a product file may be named testEvent.js), maps or sources; nor the test-only vendors of test/vendors/.
	expect(files.filter((file) => /(^|\/)test\/|\.test\.|\.map$|\.ts$/.test(file))).toEqual([]);
	expect(files.filter((file) => /acme/i.test(file))).toEqual([]);
	expect(files).toEqual(
		expect.arrayContaining([
			'dist/nodes/ChatbotLeads/ChatbotLeads.node.js',
			'dist/nodes/ChatbotLeadsTrigger/ChatbotLeadsTrigger.node.js',
			'dist/nodes/ChatbotLeadsInstantTrigger/ChatbotLeadsInstantTrigger.node.js',
			'dist/icons/chatbotLeads.svg',
			'dist/icons/chatbotLeads.dark.svg',
		]),
	);
});

test('the packed files pass the community-nodes scan with inline disables ignored', () => {
	const output = execFileSync('node', ['scripts/check-pack.mjs'], { cwd: root, encoding: 'utf8' });
	expect(output).toMatch(/scanner lint clean/);
}, 120_000);
