/**
 * Start Date and End Date are whole days in the workflow's time zone (n8n's getTimezone()):
 * the day's bounds across DST changes, the request's day margin, and the daily-export example
 * run through n8n's real engine, expression and workflow Timezone setting included.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { rangeOf, vendorQuery } from '../nodes/shared/fetch/query';
import { providerByName } from '../nodes/shared/vendors';
import { dayStartMs, zonedDayEndMs, zonedDayStartMs } from '../nodes/shared/lead/time';
import type { LeadProvider } from '../nodes/shared/vendors/types';
import { FIXTURES, type VendorFixture } from './fixtures';
import { leadRequests, runLeads, useSimulator } from './helpers';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const at = (iso: string) => Date.parse(iso);

/** The date on the wall clock of `zone` at `ms`, as Intl (not our code) reads it. */
function wallDay(ms: number, zone: string): string {
	return new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(ms));
}

describe('zonedDayStartMs and zonedDayEndMs', () => {
	test.each([
		['UTC', '2026-01-15', '2026-01-15T00:00:00.000Z'],
		['Pacific/Honolulu', '2026-01-15', '2026-01-15T10:00:00.000Z'],
		['Australia/Sydney', '2026-01-15', '2026-01-14T13:00:00.000Z'],
		['Australia/Sydney', '2026-07-15', '2026-07-14T14:00:00.000Z'],
		['Asia/Kathmandu', '2026-01-15', '2026-01-14T18:15:00.000Z'],
		['Pacific/Kiritimati', '2026-01-15', '2026-01-14T10:00:00.000Z'],
		['Etc/GMT+12', '2026-01-15', '2026-01-15T12:00:00.000Z'],
	])('in %s, %s begins at %s', (zone, day, iso) => {
		expect(new Date(zonedDayStartMs(day, zone)).toISOString()).toBe(iso);
	});

	test('across a DST change at 02:00 (Berlin): days of 23 and 25 hours', () => {
		const zone = 'Europe/Berlin';
		expect(zonedDayStartMs('2026-03-29', zone)).toBe(at('2026-03-28T23:00:00Z'));
		expect(zonedDayEndMs('2026-03-29', zone)).toBe(at('2026-03-29T22:00:00Z') - 1);
		expect(zonedDayStartMs('2026-03-30', zone)).toBe(at('2026-03-29T22:00:00Z'));
		expect(zonedDayStartMs('2026-10-25', zone)).toBe(at('2026-10-24T22:00:00Z'));
		expect(zonedDayEndMs('2026-10-25', zone)).toBe(at('2026-10-25T23:00:00Z') - 1);
		expect(zonedDayEndMs('2026-03-29', zone) + 1 - zonedDayStartMs('2026-03-29', zone)).toBe(23 * HOUR);
		expect(zonedDayEndMs('2026-10-25', zone) + 1 - zonedDayStartMs('2026-10-25', zone)).toBe(25 * HOUR);
	});

	test('where DST skips midnight (Santiago, Havana), the day begins at the change', () => {
		// 2026-09-06 00:00 in Santiago does not exist: 23:59:59 (-04) is followed by 01:00 (-03).
		expect(zonedDayStartMs('2026-09-06', 'America/Santiago')).toBe(at('2026-09-06T04:00:00Z'));
		expect(zonedDayEndMs('2026-09-05', 'America/Santiago')).toBe(at('2026-09-06T04:00:00Z') - 1);
		expect(zonedDayStartMs('2026-03-08', 'America/Havana')).toBe(at('2026-03-08T05:00:00Z'));
	});

	test('where DST ends at midnight (Santiago), the repeated hour belongs to the day before', () => {
		// 2026-04-04 24:00 (-03) is 23:00 again (-04): the 4th has 25 hours, the 5th begins at 04:00Z.
		expect(zonedDayStartMs('2026-04-05', 'America/Santiago')).toBe(at('2026-04-05T04:00:00Z'));
		expect(zonedDayEndMs('2026-04-04', 'America/Santiago') + 1 - zonedDayStartMs('2026-04-04', 'America/Santiago')).toBe(25 * HOUR);
	});

	const ZONES = [
		'UTC',
		'Pacific/Honolulu',
		'Australia/Sydney',
		'Pacific/Noumea',
		'Australia/Lord_Howe',
		'Europe/Berlin',
		'America/New_York',
		'America/Santiago',
		'America/Havana',
		'Asia/Beirut',
		'Pacific/Chatham',
		'Pacific/Kiritimati',
		'Etc/GMT+12',
	];
	test.each(ZONES)('every day of 2026 in %s: its first ms is on the day, the ms before is not', (zone) => {
		const wrong: string[] = [];
		for (let ms = dayStartMs('2026-01-01'); ms < dayStartMs('2027-01-01'); ms += DAY) {
			const day = new Date(ms).toISOString().slice(0, 10);
			const start = zonedDayStartMs(day, zone);
			const end = zonedDayEndMs(day, zone);
			const ok = wallDay(start, zone) === day && wallDay(start - 1, zone) !== day && wallDay(end, zone) === day && wallDay(end + 1, zone) !== day;
			if (!ok) wrong.push(day);
		}
		expect(wrong).toEqual([]);
	});
});

describe('the request to the vendor', () => {
	const dated = (FIXTURES.map((fixture) => providerByName(fixture.vendor)) as LeadProvider[]).filter((provider) => provider.dateFilter);
	const zones = ['Etc/GMT+12', 'Pacific/Honolulu', 'UTC', 'Australia/Sydney', 'Pacific/Kiritimati'];

	test.each(zones)('in %s, asks for whole UTC days with a full day to spare on each side', (zone) => {
		expect(dated.length).toBeGreaterThan(0);
		for (const provider of dated) {
			const query = { chatbotId: 'b', params: {}, timeZone: 'UTC', startDate: '2026-01-14', endDate: '2026-01-14', dateZone: zone };
			const range = rangeOf(query);
			const sent = vendorQuery(provider, query);
			// Read as inclusive UTC days, the vendor's days hold the range with 24 hours either side.
			expect(range.fromMs - dayStartMs(String(sent.startDate))).toBeGreaterThanOrEqual(DAY);
			expect(dayStartMs(String(sent.endDate)) + DAY - 1 - range.toMs).toBeGreaterThanOrEqual(DAY);
		}
	});
});

const sim = useSimulator();

/** The example's Chatbot Leads node, pointed at a fixture's chatbot. */
function exampleParameters(fixture: VendorFixture): INodeParameters {
	const path = join(__dirname, '..', 'examples', 'daily-export-all-leads.json');
	const workflow = JSON.parse(readFileSync(path, 'utf8')) as { nodes: Array<{ type: string; parameters: IDataObject }> };
	const node = workflow.nodes.find((candidate) => candidate.type === 'n8n-nodes-chatbot-leads.chatbotLeads');
	// The fixture's provider and chatbot replace the example's placeholders.
	return { ...node?.parameters, ...fixture.parameters } as INodeParameters;
}

/** Date.now() (and so n8n's $today) as if it were `iso` now, still ticking. */
function pretendNow(iso: string): void {
	const shift = Date.parse(iso) - Date.now();
	const realNow = Date.now.bind(Date);
	jest.spyOn(Date, 'now').mockImplementation(() => realNow() + shift);
}
afterEach(() => jest.restoreAllMocks());

describe.each(FIXTURES.map((fixture) => [fixture.displayName, fixture] as [string, VendorFixture]))('the daily export example with %s', (_name, fixture) => {
	// "Today" is 2026-01-15 in each zone: Sydney is then in summer time (UTC+11).
	test.each([
		['Pacific/Honolulu', 'UTC-10'],
		['Australia/Sydney', 'UTC+11'],
		['Pacific/Noumea', 'UTC+11'],
		['Pacific/Kiritimati', 'UTC+14'],
		['Etc/GMT+12', 'UTC-12'],
	])('at 06:00 in %s (%s) returns every lead of yesterday there, none of today or the day before', async (zone) => {
		const yesterday = zonedDayStartMs('2026-01-14', zone);
		const today = zonedDayStartMs('2026-01-15', zone);
		// Second precision: Chatof.ai and Robofy send no milliseconds.
		const inside = [yesterday, yesterday + 1000, yesterday + 12 * HOUR, today - 1000];
		const outside = [yesterday - 12 * HOUR, yesterday - 1000, today, today + 1000, today + 5 * HOUR];
		const times = [...inside, ...outside].map((ms) => ({ createdAt: new Date(ms).toISOString() }));
		sim.addLeads(fixture.vendor, fixture.chatbotId, times, { projectId: fixture.projectId });
		pretendNow(new Date(today + 6 * HOUR).toISOString());

		const items = await runLeads(sim, fixture, exampleParameters(fixture), { timezone: zone });

		const got = items.map((item) => Date.parse(String(item.json.createdAt))).sort((a, b) => a - b);
		expect(got.map((ms) => new Date(ms).toISOString())).toEqual(inside.map((ms) => new Date(ms).toISOString()));
		expect(leadRequests(sim, fixture).length).toBeGreaterThan(0);
	});
});

describe('the workflow Timezone setting', () => {
	const fixture = FIXTURES[0];
	const parameters = { returnAll: true, filters: { startDate: '2026-01-14', endDate: '2026-01-14' } };

	test('the same typed day means different instants in different zones', async () => {
		const times = ['2026-01-14T05:00:00.000Z', '2026-01-14T15:00:00.000Z', '2026-01-15T05:00:00.000Z'];
		sim.addLeads(fixture.vendor, fixture.chatbotId, times.map((createdAt) => ({ createdAt })), { projectId: fixture.projectId });
		const createdAt = async (timezone: string) =>
			(await runLeads(sim, fixture, parameters, { timezone })).map((item) => String(item.json.createdAt)).sort();
		expect(await createdAt('UTC')).toEqual(times.slice(0, 2));
		expect(await createdAt('Pacific/Honolulu')).toEqual(times.slice(1, 3));
		expect(await createdAt('Australia/Sydney')).toEqual(times.slice(0, 1));
	});

	test('one that is not an IANA zone is named before any request', async () => {
		const error = await runLeadsErrorIn(fixture, parameters, 'Mars/Olympus_Mons');
		expect(error.message).toMatch(/workflow's Timezone setting "Mars\/Olympus_Mons" is not an IANA time zone/);
		expect(sim.requests).toHaveLength(0);
	});
});

async function runLeadsErrorIn(fixture: VendorFixture, parameters: INodeParameters, timezone: string): Promise<Error> {
	try {
		await runLeads(sim, fixture, parameters, { timezone });
	} catch (error) {
		return error as Error;
	}
	throw new Error('expected the node to fail');
}
