/**
 * Issue 11, "polls that fit n8n's limits", and issue 19: a poll ends before n8n's poll budget, emits
 * what it read and leaves the rest to the next polls; a rate-limited poll hands n8n the server's wait. And error texts keep the
 * vendor's words while never showing a key.
 */
import type { IDataObject } from 'n8n-workflow';

import { redact } from '../nodes/shared/transport/errors';
import { FIXTURES } from './fixtures';
import { durableTrigger, pollTrigger, useHostClock, useSimulator } from './helpers';

const sim = useSimulator();
const clock = useHostClock();
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
type NodeError = Error & { failure?: IDataObject; description?: string };

async function failureOf(run: Promise<unknown>): Promise<NodeError> {
	try {
		await run;
	} catch (error) {
		return error as NodeError;
	}
	throw new Error('expected the poll to fail');
}

describe.each(FIXTURES.map((fixture) => [fixture.displayName, fixture] as const))('%s', (_name, fixture) => {
	beforeEach(() => sim.addChatbot(fixture.vendor, fixture.chatbotId, { projectId: fixture.projectId }));

	test('a backlog longer than n8n\'s poll budget drains over several polls: none fails, each lead once, in a bounded number of polls', async () => {
		sim.setOptions(fixture.vendor, fixture.capOption(5) as never);
		const trigger = durableTrigger(sim, fixture, {}, 3_000);
		await trigger.activate();
		expect((await trigger.tick()).items).toBeNull();
		sim.generateLeads(fixture.vendor, fixture.chatbotId, 60, { start: ago(30 * 60_000), stepMs: 20_000, projectId: fixture.projectId });
		sim.setOptions(fixture.vendor, { latencyMs: 400 } as never);
		const emitted: string[] = [];
		let ticks = 0;
		for (; ticks < 10 && emitted.length < 60; ticks++) {
			const started = Date.now();
			const items = (await trigger.tick()).items?.[0] ?? [];
			expect(Date.now() - started).toBeLessThan(3_000);
			emitted.push(...items.map((item) => String(item.json.id)));
		}
		expect(ticks).toBeGreaterThan(1);
		expect(new Set(emitted).size).toBe(60);
		expect(emitted).toHaveLength(60);
		sim.setOptions(fixture.vendor, { latencyMs: 0 } as never);
		expect((await trigger.tick()).items).toBeNull();
	});

	test('a recheck longer than the poll budget goes on over several polls; none fails, the late lead comes out once', async () => {
		sim.setOptions(fixture.vendor, { order: 'desc', ...fixture.capOption(5) } as never);
		sim.generateLeads(fixture.vendor, fixture.chatbotId, 120, { start: ago(40 * 3_600_000), stepMs: 20 * 60_000, projectId: fixture.projectId });
		const trigger = durableTrigger(sim, fixture, {}, 3_000);
		await trigger.activate();
		expect((await trigger.tick()).items).toBeNull();
		sim.addLeads(fixture.vendor, fixture.chatbotId, [{ name: 'late-39-h', createdAt: ago(39 * 3_600_000) }], { projectId: fixture.projectId });
		sim.setOptions(fixture.vendor, { latencyMs: 100 } as never);
		clock.advance(61 * 60_000);
		const emitted: string[] = [];
		let ticks = 0;
		for (; ticks < 12 && !emitted.includes('late-39-h'); ticks++) {
			emitted.push(...((await trigger.tick()).items?.[0] ?? []).map((item) => String(item.json.name)));
		}
		expect(emitted).toEqual(['late-39-h']);
		expect(ticks).toBeGreaterThan(1);
		for (let i = 0; i < 6; i++) expect((await trigger.tick()).items).toBeNull();
	});

	test('a 429 whose wait does not fit the budget fails at once and hands n8n the server\'s wait', async () => {
		const trigger = durableTrigger(sim, fixture, {}, 5_000);
		await trigger.activate();
		sim.injectFault(fixture.vendor, { kind: 'status', status: 429, headers: { 'Retry-After': '120' }, times: Infinity });
		const started = Date.now();
		const error = await failureOf(trigger.tick());
		expect(Date.now() - started).toBeLessThan(5_000);
		expect(error.message).toMatch(/^Rate limited by /);
		expect(error.failure).toEqual({ cause: 'rate-limited', retryAfterMs: 120_000 });
	});

	test('without a poll budget (n8n before 2.38, default engine), a slow poll still completes', async () => {
		sim.setOptions(fixture.vendor, { ...fixture.capOption(5), latencyMs: 30 } as never);
		const first = await pollTrigger(sim, fixture, {});
		sim.generateLeads(fixture.vendor, fixture.chatbotId, 40, { start: ago(20 * 60_000), stepMs: 20_000, projectId: fixture.projectId });
		expect((await pollTrigger(sim, fixture, first.staticData)).items).toHaveLength(40);
	});

	test('the vendor\'s own error text is kept word for word ("bearer token"), the key never shown', async () => {
		const message = 'The request is missing a valid bearer token.';
		sim.injectFault(fixture.vendor, { kind: 'status', status: 401, body: fixture.errorBody?.(message) ?? { message, msg: message }, times: 2 });
		const error = await failureOf(pollTrigger(sim, fixture, {}));
		expect(error.description).toContain(message);
		expect(JSON.stringify({ ...error, message: error.message, description: error.description })).not.toContain(sim.keys[fixture.vendor]);
	});
});

describe('redact', () => {
	test('hides echoed tokens and the key, keeps plain words after "bearer"', () => {
		expect(redact('The request is missing a valid bearer token.')).toBe('The request is missing a valid bearer token.');
		expect(redact('Send a Bearer token in the header')).toBe('Send a Bearer token in the header');
		expect(redact('received Authorization "Bearer sk-live-9f8e7d6c"')).toBe('received Authorization "Bearer [redacted]"');
		expect(redact('got bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc')).toBe('got bearer [redacted]');
		expect(redact('Bearer abcdefghijklmnopqrstuvwxyz rejected')).toBe('Bearer [redacted] rejected');
		expect(redact('key mykey-123 is wrong', 'mykey-123')).toBe('key [redacted] is wrong');
	});
});
