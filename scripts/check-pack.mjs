// Checks what `npm pack` would publish: only what n8n needs, every registered file present, and
// the packed files pass the community-nodes scan the way n8n's scanner runs it (inline disables
// ignored). Run after `npm run build`.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { ESLint } from 'eslint';

import { scanConfig } from './scan-config.mjs';

const ALLOWED = [/^package\.json$/, /^README\.md$/, /^LICENSE$/, /^CHANGELOG\.md$/, /^index\.js$/, /^dist\/(nodes|credentials|icons)\/.+\.(js|svg|png|json)$/];
// test/vendors/ (Acme Bots, the test-only vendor) must never ship.
const FORBIDDEN = [/\.map$/, /\.ts$/, /(^|\/)test\//, /(^|\/)tests?\./, /\.test\.js$/, /^scripts\//, /^docs\//, /^examples\//, /acme/i, /\.env/, /\.npmrc$/, /sim-[a-z]+-key/];

const fail = (message) => {
	process.stderr.write(`check-pack: ${message}\n`);
	process.exitCode = 1;
};

const packDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chatbot-leads-pack-'));
const [info] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', packDir], { encoding: 'utf8' }));
const files = info.files.map((file) => file.path);

for (const file of files) {
	if (!ALLOWED.some((re) => re.test(file))) fail(`unexpected file in the package: ${file}`);
	if (FORBIDDEN.some((re) => re.test(file))) fail(`file that must not ship: ${file}`);
}
const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8'));
for (const registered of [...pkg.n8n.nodes, ...pkg.n8n.credentials]) {
	if (!files.includes(registered)) fail(`package.json registers ${registered}, but the package does not contain it`);
}

const unpacked = path.join(packDir, 'package');
execFileSync('tar', ['-xzf', path.join(packDir, info.filename), '-C', packDir]);
for (const file of files.filter((f) => f.endsWith('.js'))) {
	if (/sim-[A-Za-z]+-key|acme/i.test(fs.readFileSync(path.join(unpacked, file), 'utf8'))) fail(`a test key is in ${file}`);
}
const eslint = new ESLint({ cwd: unpacked, allowInlineConfig: false, overrideConfigFile: true, overrideConfig: scanConfig });
const results = await eslint.lintFiles(files.filter((f) => f.endsWith('.js') || f === 'package.json').map((f) => path.join(unpacked, f)));
const problems = results.reduce((sum, r) => sum + r.errorCount + r.warningCount, 0);
if (problems > 0) {
	process.stderr.write(await (await eslint.loadFormatter('stylish')).format(results));
	fail(`${problems} scanner lint problems in the packed files`);
}
fs.rmSync(packDir, { recursive: true, force: true });
// Images that only illustrate the README (docs/*.png) must not ship: node icons sit in dist/.
for (const file of files) if (/\.(png|jpe?g|gif)$/.test(file) && !/^dist\/(nodes|credentials|icons)\//.test(file)) fail(`a docs image in the package: ${file}`);
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} kB`;
process.stdout.write(`check-pack: ${info.filename}: ${files.length} files, tarball ${info.size} bytes (${kb(info.size)}), unpacked ${info.unpackedSize} bytes (${kb(info.unpackedSize)})\n`);
if (!process.exitCode) process.stdout.write('check-pack: only what n8n needs (no tests, scripts or docs images), scanner lint clean\n');
