'use strict';
/**
 * The vendor simulator (test/simulator) for benchmarks, run in this process.
 *
 * test/simulator serves every page by filtering and sorting ALL of a chatbot's leads (and parsing
 * every created_at twice) on each request: about 250-370 ms of CPU per request at 100,000 leads
 * on the bench machine. That would swamp the 100 ms latency being benchmarked and serialize
 * concurrent requests behind one busy event loop. BenchSimulator keeps the simulator's own code
 * path and answers, but remembers the filtered+sorted list per (chatbot, data size, filter):
 *
 *   - `_takeFault(ctx)` is called synchronously at the start of every vendor request (after the
 *     latency delay) and again right before the leads are filtered; it notes the request.
 *   - `_bot()` hands the route a shallow copy of the chatbot whose `leads` is a LeadsView: its
 *     filter() returns the cached result for this request's date/session filter, and that
 *     result's map().sort().map() (what the simulator's sortAscending does) returns a fresh copy
 *     of the cached ascending order, computed the first time with the simulator's own functions.
 *
 * Leads are only ever appended (addLeads) or dropped wholesale (reset), so (bot, length) is a
 * sound cache key. selfCheck() compares pages against the unmodified simulator.
 */
const { Simulator, createSimulator } = require('../../test/simulator/simulator');

const FILTER_KEYS = ['startDate', 'endDate', 'start_date', 'end_date', 'sessionId'];

/** What sortAscending gets: map(fn) -> { sort(cmp) -> { map(fn2) -> copy of cached order } }. */
class Matching extends Array {
	static get [Symbol.species]() {
		return Array;
	}

	map(fn1) {
		const self = this;
		return {
			sort(cmp) {
				return {
					map(fn2) {
						if (!self.ascending) self.ascending = Array.prototype.map.call(self, fn1).sort(cmp).map(fn2);
						return self.ascending.slice();
					},
				};
			},
		};
	}
}

class LeadsView extends Array {
	static get [Symbol.species]() {
		return Array;
	}

	filter(fn) {
		const key = this.keyOf();
		let hit = this.cache.get(key);
		if (!hit) {
			const plain = Array.prototype.filter.call(this, fn);
			hit = new Matching(plain.length);
			for (let i = 0; i < plain.length; i++) hit[i] = plain[i];
			this.cache.set(key, hit);
		}
		return hit;
	}
}

class BenchSimulator extends Simulator {
	constructor(options) {
		super(options);
		this._views = new WeakMap();
	}

	_takeFault(ctx, kinds) {
		this._benchCtx = ctx;
		return super._takeFault(ctx, kinds);
	}

	_bot(vendor, id) {
		const bot = super._bot(vendor, id);
		if (!bot) return bot;
		let view = this._views.get(bot);
		if (!view || view.length !== bot.leads.length) {
			view = new LeadsView(bot.leads.length);
			for (let i = 0; i < bot.leads.length; i++) view[i] = bot.leads[i];
			view.cache = new Map();
			view.keyOf = () => {
				const ctx = this._benchCtx;
				const q = (ctx && ctx.query) || {};
				return JSON.stringify(FILTER_KEYS.map((k) => q[k] ?? null));
			};
			this._views.set(bot, view);
		}
		return { id: bot.id, name: bot.name, projectId: bot.projectId, leads: view };
	}
}

async function startBenchSimulator(options = {}) {
	const sim = new BenchSimulator(options);
	await sim.start(options.port, options.host);
	return sim;
}

async function get(url, key) {
	const res = await fetch(url, { headers: { authorization: `Bearer ${key}` } });
	return { status: res.status, body: await res.text() };
}

/** Same answers as the unmodified simulator, for every vendor, order and a date filter. */
async function selfCheck() {
	const fast = await startBenchSimulator();
	const plain = createSimulator();
	await plain.start(0, '127.0.0.1');
	try {
		for (const sim of [fast, plain]) {
			for (const vendor of ['chatbase', 'chatzuri', 'chatofAi', 'robofy']) {
				sim.generateLeads(vendor, 'chk', 2500, { start: '2026-03-01T00:00:00Z', stepMs: 97_000, projectId: vendor === 'robofy' ? 7 : undefined });
			}
			sim.setOptions('robofy', { pageSize: 100 });
		}
		const paths = (order) => [
			`chatbase/api/v1/get-leads?chatbotId=chk&page=3&size=100`,
			`chatbase/api/v1/get-leads?chatbotId=chk&page=2&size=100&startDate=2026-03-02&endDate=2026-03-03`,
			`chatzuri/api/v1/get-leads?agentId=chk&page=25&size=100`,
			`chatof/api/v1/backend/chatbot/chk/leads?page=4&page_size=100`,
			`chatof/api/v1/backend/chatbot/chk/leads?page=1&page_size=100&start_date=2026-03-03`,
			`robofy/v1/ai-agent/leads/7/chk?nextPageToken=${Buffer.from(JSON.stringify({ page: 7 })).toString('base64')}`,
			`robofy/v1/ai-agent/leads/7/chk`,
			order,
		];
		for (const order of ['desc', 'asc', 'random']) {
			for (const sim of [fast, plain]) for (const v of ['chatbase', 'chatzuri', 'chatofAi', 'robofy']) sim.setOptions(v, { order });
			for (const p of paths(order).slice(0, -1)) {
				const vendor = p.startsWith('chatbase') ? 'chatbase' : p.startsWith('chatzuri') ? 'chatzuri' : p.startsWith('chatof') ? 'chatofAi' : 'robofy';
				const [a, b] = await Promise.all([get(`${fast.url}/${p}`, fast.keys[vendor]), get(`${plain.url}/${p}`, plain.keys[vendor])]);
				const strip = (t) => t.replace(/"request_id":"[^"]*"/, '');
				if (a.status !== b.status || strip(a.body) !== strip(b.body)) {
					throw new Error(`BenchSimulator differs from the simulator for ${order} ${p}`);
				}
			}
			// Appending leads must invalidate the cache.
			fast.generateLeads('chatbase', 'chk', 1, { start: '2026-03-05T00:00:00Z' });
			plain.generateLeads('chatbase', 'chk', 1, { start: '2026-03-05T00:00:00Z' });
			const p = 'chatbase/api/v1/get-leads?chatbotId=chk&page=1&size=100';
			const [a, b] = await Promise.all([get(`${fast.url}/${p}`, fast.keys.chatbase), get(`${plain.url}/${p}`, plain.keys.chatbase)]);
			if (a.body !== b.body) throw new Error(`BenchSimulator cache was not invalidated (${order})`);
		}
	} finally {
		await fast.stop();
		await plain.stop();
	}
	return true;
}

module.exports = { BenchSimulator, startBenchSimulator, selfCheck };

if (require.main === module) {
	selfCheck().then(
		() => console.log('BenchSimulator matches the simulator'),
		(e) => {
			console.error(e);
			process.exit(1);
		},
	);
}
