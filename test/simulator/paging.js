'use strict';

/**
 * Stored leads as a vendor serves them: ordered, date-filtered and cut into pages. Plug-ins use
 * `listPage` (page-number paging with behaviour faults) and, for page/size vendors with
 * startDate/endDate filters, `dayPagedLeads`.
 */

const { clone, hash32, prng } = require('./util');
const { parseTimestamp, parseDayRange, parsePositiveInt } = require('./time');
const { reply } = require('./respond');
const { BEHAVIOUR_FAULTS } = require('./faults');

/**
 * The time the vendor's database holds for a stored record, where its wire `created_at` does not
 * say it (a lead made with `createdAtText`: an unreadable or missing time on the wire). The
 * server still orders and filters such a lead by its real time, as a real database would.
 */
const STORED_TIMES = new WeakMap();

/** A stored record's time for ordering and date filters (NaN when neither says one). */
function recordTime(record, timeField = 'created_at') {
	const stored = STORED_TIMES.get(record);
	return stored === undefined ? parseTimestamp(record[timeField]) : stored;
}

/**
 * A chatbot's records oldest first (ties keep insertion order), each with its time; cached until
 * the chatbot's leads change (`bot.version`), so big chatbots do not re-sort on every request.
 */
function sortedLeads(bot, timeField) {
	const version = bot.version || 0;
	if (bot.sorted && bot.sorted.version === version && bot.sorted.length === bot.leads.length) return bot.sorted.entries;
	const entries = bot.leads
		.map((record, index) => ({ record, index, time: recordTime(record, timeField) }))
		.sort((a, b) => (a.time || 0) - (b.time || 0) || a.index - b.index);
	bot.sorted = { version, length: bot.leads.length, entries };
	return entries;
}

/**
 * Applies the vendor's `order` option to entries already oldest first. 'random' shuffles with a
 * PRNG seeded by the chatbot id, so while the data does not change, page N is the same on every
 * request.
 */
function orderRecords(ascending, order, seedKey) {
	const sorted = ascending.map((entry) => entry.record);
	if (order === 'asc') return sorted;
	if (order === 'desc') return sorted.reverse();
	const random = prng(hash32(seedKey));
	for (let i = sorted.length - 1; i > 0; i--) {
		const j = Math.floor(random() * (i + 1));
		[sorted[i], sorted[j]] = [sorted[j], sorted[i]];
	}
	return sorted;
}

function inDayRange(time, { startMs, endMs }) {
	return (startMs === undefined || time >= startMs) && (endMs === undefined || time < endMs);
}

function slicePage(records, page, size) {
	return records.slice((page - 1) * size, page * size);
}

/**
 * Page-number paging shared by the page-based vendors. Applies a behaviour fault if one is
 * queued. Pages are cut from the data as it is now, so leads added meanwhile shift pages.
 */
function listPage(ctx, bot, { range, page, size }) {
	const fault = ctx.sim._takeFault(ctx, BEHAVIOUR_FAULTS);
	const kind = fault && fault.kind;
	const all = bot.leads;
	const matching = sortedLeads(bot, ctx.plugin.timeField).filter((entry) => inDayRange(entry.time, range));
	if (kind === 'endless') {
		return { rows: ctx.sim._endlessRows(ctx.vendor, bot, size), total: (page + 1) * size, totalAll: (page + 1) * size, fault: kind };
	}
	const ordered = orderRecords(matching, ctx.options.order, `${ctx.vendor}:${bot.id}`);
	const rows = slicePage(ordered, kind === 'repeatPage' ? 1 : page, size);
	return { rows: clone(rows), total: matching.length, totalAll: all.length, fault: kind };
}

/**
 * Shared by Chatbase and Chatzuri: page/size paging and startDate/endDate whole-day filters.
 * `style`: { idParam, notFound, status, body(rows, ctx, drift) }.
 */
function dayPagedLeads(ctx, style) {
	const { query, options, vendor } = ctx;
	const error = (status, message) => reply(status, ctx.api.error(status, message));
	const botId = query[style.idParam];
	if (!botId) return error(400, `${style.idParam} is required`);
	const range = parseDayRange(query.startDate, query.endDate, ['startDate', 'endDate']);
	if (range.error) return error(400, range.error);
	const page = parsePositiveInt(query.page, 1);
	if (Number.isNaN(page)) return error(400, 'Invalid page');
	const size = parsePositiveInt(query.size, options.defaultPageSize);
	if (Number.isNaN(size)) return error(400, 'Invalid size');
	const bot = ctx.sim._bot(vendor, botId);
	if (!bot) return error(404, style.notFound);

	const result = listPage(ctx, bot, { range, page, size: Math.min(size, options.maxPageSize) });
	return reply(style.status, style.body(result.rows, ctx, result.fault === 'shapeDrift'));
}

module.exports = { STORED_TIMES, recordTime, sortedLeads, orderRecords, inDayRange, slicePage, listPage, dayPagedLeads };
