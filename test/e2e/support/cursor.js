'use strict';

/** Reading the trigger's cursor as n8n stored it, and printing a table. */

// ------------------------------------------------------------------- the trigger's cursor

/** The 11-character fingerprint the trigger stores for a lead id (nodes/ChatbotLeadsTrigger/state/seenIds.ts). */
function leadFingerprint(id) {
	return require('crypto').createHash('sha256').update(String(id)).digest().toString('base64url', 0, 8);
}

/** Every lead-id fingerprint a saved `leadCursor` (version 2) holds, over all its chatbots. */
function seenFingerprints(cursor) {
	const prints = new Set();
	for (const entry of Object.values((cursor && cursor.chatbots) || {})) {
		for (const run of Object.values(entry.seen || {})) {
			for (let i = 0; i + 11 <= run.length; i += 11) prints.add(run.slice(i, i + 11));
		}
	}
	return prints;
}

/** Prints a table as `# | a | b |` lines (the e2e scripts' figure tables). */
function printTable(header, lines) {
	const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
	const fmt = (cells) => `# | ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
	console.log(fmt(header));
	console.log(`# |${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
	for (const l of lines) console.log(fmt(l));
}

module.exports = { leadFingerprint, seenFingerprints, printTable };
