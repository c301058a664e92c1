// Checks the relative links and #anchors of the Markdown pages (README.md, BENCHMARKS.md,
// CHANGELOG.md, docs/*.md) and the documentation links of the nodes' codex files
// (nodes/*/*.node.json, links into this repository on GitHub): every linked file exists and
// every anchor is a heading of its page, slugged as GitHub does. No dependencies; part of
// `npm run lint`. Exit code 1 and one line per broken link otherwise.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const REPO_URL = 'https://github.com/chatbot-leads/n8n-nodes-chatbot-leads';

const rel = (file) => path.relative(ROOT, file);
const exists = (file) => fs.existsSync(file);

function markdownFiles() {
	const docs = exists(path.join(ROOT, 'docs'))
		? fs.readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => path.join('docs', f))
		: [];
	return ['README.md', 'BENCHMARKS.md', 'CHANGELOG.md', ...docs].map((f) => path.join(ROOT, f)).filter(exists);
}

/** The page's text without fenced code blocks (links and headings there are not links and headings). */
function withoutCode(text) {
	const out = [];
	let fenced = false;
	for (const line of text.split('\n')) {
		if (/^\s*```/.test(line)) {
			fenced = !fenced;
			out.push('');
			continue;
		}
		out.push(fenced ? '' : line);
	}
	return out;
}

/** GitHub's heading ids: lower case, punctuation dropped, spaces to hyphens; repeats get -1, -2. */
function anchorsOf(file) {
	const seen = new Map();
	const anchors = new Set();
	for (const line of withoutCode(fs.readFileSync(file, 'utf8'))) {
		const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
		if (!heading) continue;
		const text = heading[1]
			.replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
			.replace(/<[^>]+>/g, '')
			.toLowerCase();
		const base = text.replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
		const count = seen.get(base) ?? 0;
		seen.set(base, count + 1);
		anchors.add(count === 0 ? base : `${base}-${count}`);
	}
	return anchors;
}

const anchorCache = new Map();
function hasAnchor(file, anchor) {
	if (!anchorCache.has(file)) anchorCache.set(file, anchorsOf(file));
	return anchorCache.get(file).has(decodeURIComponent(anchor).toLowerCase());
}

const problems = [];

/** A link from `from` (a file, for the place in messages) to `target`, relative to `baseDir`. */
function check(from, where, target, baseDir) {
	const [filePart, anchor] = target.split('#');
	const file = filePart === '' ? from : path.resolve(baseDir, decodeURIComponent(filePart));
	if (!file.startsWith(ROOT)) return problems.push(`${where}: ${target} leaves the repository`);
	if (!exists(file)) return problems.push(`${where}: ${target}: no such file`);
	if (anchor !== undefined && anchor !== '') {
		if (!file.endsWith('.md')) return problems.push(`${where}: ${target}: an anchor into a file that is not Markdown`);
		if (!hasAnchor(file, anchor)) problems.push(`${where}: ${target}: no heading with that anchor in ${rel(file)}`);
	}
	return undefined;
}

for (const file of markdownFiles()) {
	withoutCode(fs.readFileSync(file, 'utf8')).forEach((line, index) => {
		const text = line.replace(/`[^`]*`/g, '');
		for (const match of text.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
			const target = match[1];
			if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto: and so on
			check(file, `${rel(file)}:${index + 1}`, target, path.dirname(file));
		}
	});
}

for (const dir of fs.readdirSync(path.join(ROOT, 'nodes'))) {
	const folder = path.join(ROOT, 'nodes', dir);
	if (!fs.statSync(folder).isDirectory()) continue;
	for (const name of fs.readdirSync(folder).filter((f) => f.endsWith('.node.json'))) {
		const file = path.join(folder, name);
		const urls = JSON.stringify(JSON.parse(fs.readFileSync(file, 'utf8'))).match(/https?:\/\/[^"]+/g) ?? [];
		for (const url of urls) {
			if (!url.startsWith(REPO_URL)) continue;
			const rest = url.slice(REPO_URL.length);
			const target = rest.startsWith('/blob/main/') ? rest.slice('/blob/main/'.length) : rest.startsWith('#') ? `README.md${rest}` : undefined;
			if (target === undefined) problems.push(`${rel(file)}: ${url}: not a page of this repository's main branch`);
			else check(path.join(ROOT, 'README.md'), rel(file), target, ROOT);
		}
	}
}

if (problems.length > 0) {
	for (const problem of problems) process.stderr.write(`check-links: ${problem}\n`);
	process.exitCode = 1;
}
