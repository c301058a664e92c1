'use strict';
/** Markdown tables of the benchmark's results (printed by run.js; pasted into BENCHMARKS.md). */

const mb = (kb) => (kb / 1024).toFixed(0);
const sec = (ms) => (ms / 1000).toFixed(2);
const ratio = (a, b) => (b > 0 ? (a / b).toFixed(2) : 'n/a');

function table(header, rows) {
	const lines = [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`];
	for (const row of rows) lines.push(`| ${row.join(' | ')} |`);
	return lines.join('\n');
}

function fetchTable(results) {
	const rows = [];
	const sizes = [...new Set(results.fetch.map((r) => r.size))].filter((s) => s > 0);
	const vendors = [...new Set(results.fetch.map((r) => r.vendor))];
	for (const vendor of vendors) {
		for (const size of sizes) {
			const group = results.fetch.filter((r) => r.vendor === vendor && r.size === size);
			const diy = group.find((r) => r.kind === 'diy');
			for (const r of group) {
				const base = results.fetch.find((b) => b.vendor === vendor && b.size === 0 && b.variant === r.variant);
				rows.push([
					vendor,
					size.toLocaleString('en-US'),
					r.variant,
					r.requests,
					r.maxInFlight,
					sec(r.fetchMs),
					r.cpuMs === undefined ? '' : sec(r.cpuMs),
					mb(r.peakFetchKb),
					base ? mb(r.peakFetchKb - base.peakFetchKb) : '',
					mb(r.peakProcessKb),
					r.kind === 'diy' || !diy ? '' : ratio(r.requests, diy.requests),
					r.kind === 'diy' || !diy ? '' : ratio(r.fetchMs, diy.fetchMs),
					r.kind === 'diy' || !diy ? '' : ratio(r.peakFetchKb, diy.peakFetchKb),
				]);
			}
		}
	}
	return table(
		[
			'vendor',
			'leads',
			'workflow',
			'requests',
			'max in flight',
			'time (s)',
			'n8n CPU (s)',
			'peak RSS while fetching (MB)',
			'minus 0-lead run (MB)',
			'peak RSS whole process (MB)',
			'requests ours/theirs',
			'time ours/theirs',
			'peak RSS ours/theirs',
		],
		rows,
	);
}

function baselineTable(results) {
	const rows = results.fetch
		.filter((r) => r.size === 0)
		.map((r) => [r.vendor, r.variant, r.requests, sec(r.fetchMs), mb(r.rssBeforeKb), mb(r.peakFetchKb), mb(r.peakProcessKb), r.liveKb === undefined ? '' : mb(r.liveKb)]);
	return table(
		['vendor', 'workflow (0 leads)', 'requests', 'time (s)', 'RSS before the node (MB)', 'peak RSS while fetching (MB)', 'peak RSS whole process (MB)', 'live heap (MB)'],
		rows,
	);
}

function memoryTable(results) {
	if (!results.itemSizes) return '';
	const maxSize = Math.max(...results.fetch.map((r) => r.size));
	const rows = [];
	for (const r of results.fetch.filter((x) => x.size === maxSize)) {
		const base = results.fetch.find((b) => b.vendor === r.vendor && b.size === 0 && b.variant === r.variant);
		const sizes = results.itemSizes[r.vendor];
		if (!base || !sizes) continue;
		const itemsMb = (r.kind === 'ours' ? sizes.oursBytes : sizes.diyBytes) / 2 ** 20;
		const deltaFetch = (r.peakFetchKb - base.peakFetchKb) / 1024;
		const deltaProcess = (r.peakProcessKb - base.peakProcessKb) / 1024;
		const deltaLive = r.liveKb === undefined || base.liveKb === undefined ? undefined : (r.liveKb - base.liveKb) / 1024;
		rows.push([
			r.vendor,
			r.variant,
			itemsMb.toFixed(0),
			deltaLive === undefined ? '' : deltaLive.toFixed(0),
			deltaLive === undefined ? '' : (deltaLive / itemsMb).toFixed(2),
			deltaFetch.toFixed(0),
			(deltaFetch / itemsMb).toFixed(2),
			deltaProcess.toFixed(0),
			(deltaProcess / itemsMb).toFixed(2),
		]);
	}
	return table(
		[
			'vendor',
			`workflow (${maxSize.toLocaleString('en-US')} leads)`,
			'output items, V8 heap (MB)',
			'peak live heap while fetching minus 0-lead run (MB)',
			'÷ items',
			'peak RSS while fetching minus 0-lead run (MB)',
			'÷ items',
			'peak RSS whole process minus 0-lead run (MB)',
			'÷ items',
		],
		rows,
	);
}

const PATTERN = {
	ours: 'Chatbot Leads Trigger',
	todayById: 'DIY: startDate = today, Remove Duplicates on id',
	afterLastSeen: 'DIY: created_at > latest seen (Remove Duplicates, later date)',
};

function triggerTables(t) {
	const kinds = Object.keys(t.kinds);
	const summary = table(
		['approach', 'emitted', 'lost', 'duplicated', 'requests (all polls)', 'requests per poll'],
		Object.entries(t.summary).map(([a, s]) => [PATTERN[a], s.emitted, s.lost, s.duplicated, s.requests, s.requestsPerPoll.join(' ')]),
	);
	const byKind = table(
		['leads lost, by kind', 'leads', ...Object.keys(t.summary).map((a) => PATTERN[a])],
		kinds.map((k) => [k, t.kinds[k], ...Object.values(t.summary).map((s) => s.lostByKind[k])]),
	);
	const polls = table(
		['poll', 'virtual time (UTC)', 'leads that became visible', ...Object.keys(t.summary).map((a) => `emitted: ${PATTERN[a]}`)],
		t.polls.map((p) => [p.k, p.at.replace('T', ' ').slice(0, 19), p.added, ...Object.keys(t.summary).map((a) => p.emitted[a])]),
	);
	return [summary, byKind, polls].join('\n\n');
}

function render(results) {
	const parts = [];
	const m = results.machine;
	parts.push(
		`Machine: ${m.nproc} CPUs (${m.cpu}), ${m.memGb} GB RAM, ${m.os}; n8n ${m.n8n} on Node ${m.n8nNode}; bench on Node ${m.benchNode}; load average at start ${m.loadavg.join(' ')}`,
	);
	parts.push(
		`Latency ${results.options.latencyMs} ms per request; Robofy page size ${results.options.robofyPageSize}; total ${results.totalSeconds} s; load average at the end ${(results.loadavgEnd || []).join(' ')}.`,
	);
	if (results.fetch) {
		parts.push('### Fetch: Chatbot Leads (Return All) vs HTTP Request pagination + Split Out');
		parts.push(fetchTable(results));
		parts.push('### 0-lead runs (memory baseline)');
		parts.push(baselineTable(results));
		const mem = memoryTable(results);
		if (mem) {
			parts.push('### Memory against the size of the output items');
			parts.push(mem);
		}
	}
	if (results.trigger) {
		parts.push(`### Polling: ${results.trigger.leads} leads on ${results.trigger.vendor}, ${results.trigger.polls.length} polls`);
		parts.push(triggerTables(results.trigger));
	}
	return parts.join('\n\n');
}

module.exports = { render };
