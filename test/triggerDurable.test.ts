/**
 * The trigger under n8n's durable scheduler with durable poll cursors, through a model of n8n
 * 2.41.1's own path (test/harness createDurablePollSession): the activation poll's node state is
 * staged and dropped, ticks commit it. Leads captured between activation and the first tick must
 * still come out, exactly once.
 */
import type { IDataObject } from 'n8n-workflow';

import { FIXTURES, type VendorFixture } from './fixtures';
import { durableTrigger, useSimulator } from './helpers';

const sim = useSimulator();
const MIN = 60_000;
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
const names = (items: { json: IDataObject }[][] | null) => (items?.[0] ?? []).map((item) => String(item.json.name));

describe.each(FIXTURES.map((fixture) => [fixture.displayName, fixture] as [string, VendorFixture]))('%s under the durable scheduler', (_name, fixture) => {
	const add = (name: string, createdAt: string) =>
		sim.addLeads(fixture.vendor, fixture.chatbotId, [{ name, createdAt }], { projectId: fixture.projectId });
	beforeEach(() => sim.addChatbot(fixture.vendor, fixture.chatbotId, { projectId: fixture.projectId }));

	test('leads captured between activation and the first scheduled poll are emitted once; older ones never', async () => {
		sim.generateLeads(fixture.vendor, fixture.chatbotId, 30, { start: ago(90 * MIN), stepMs: 3 * MIN, projectId: fixture.projectId });
		const trigger = durableTrigger(sim, fixture);
		const activation = await trigger.activate();
		expect(activation.items).toBeNull();
		// n8n dropped the activation poll's node state: no cursor row content yet.
		expect(trigger.cursor).toEqual({});

		add('between-1', ago(20_000));
		add('between-2', ago(10_000));
		const first = await trigger.tick();
		expect(names(first.items).sort()).toEqual(['between-1', 'between-2']);
		expect((trigger.cursor as IDataObject).leadCursor).toBeDefined();

		expect((await trigger.tick()).items).toBeNull();
		add('later', ago(5_000));
		expect(names((await trigger.tick()).items)).toEqual(['later']);
		expect((await trigger.tick()).items).toBeNull();
	});

	test('a quiet first tick commits the adopted cursor, and the activation record is taken over only once', async () => {
		sim.generateLeads(fixture.vendor, fixture.chatbotId, 5, { start: ago(30 * MIN), stepMs: 3 * MIN, projectId: fixture.projectId });
		const trigger = durableTrigger(sim, fixture);
		await trigger.activate();
		expect((await trigger.tick()).items).toBeNull();
		expect((trigger.cursor as IDataObject).leadCursor).toBeDefined();
		add('next', ago(1_000));
		expect(names((await trigger.tick()).items)).toEqual(['next']);
		expect((await trigger.tick()).items).toBeNull();
	});

	test('re-activation of an active workflow (an edit) keeps the committed cursor: nothing lost, nothing repeated', async () => {
		const trigger = durableTrigger(sim, fixture);
		await trigger.activate();
		add('one', ago(2_000));
		expect(names((await trigger.tick()).items)).toEqual(['one']);
		add('while-updating', ago(1_000));
		// The edit's activation poll emits what is new, committed with its execution.
		const emitted = names((await trigger.activate()).items);
		add('after-update', ago(500));
		emitted.push(...names((await trigger.tick()).items), ...names((await trigger.tick()).items));
		expect(emitted).toEqual(['while-updating', 'after-update']);
	});
});
