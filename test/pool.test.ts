import { forEachInPool, rateLimitOf, TaskPool, type PoolSettings } from '../nodes/shared/transport/pool';

const SETTINGS: PoolSettings = { concurrency: 4, retryRateLimited: true, maxRetries: 0, retryBaseDelayMs: 1, maxRetryWaitMs: 60_000 };

/** The error the transport throws for a 429 after its retries (with the server's delay where it knows it). */
function rateLimited(retryAfterMs?: number) {
	return Object.assign(new Error('Rate limited'), {
		httpCode: '429',
		failure: retryAfterMs === undefined ? undefined : { cause: 'rate-limited', retryAfterMs },
	});
}

const tick = async (ms = 5) => await new Promise((resolve) => setTimeout(resolve, ms));

describe('TaskPool', () => {
	test('runs at most `concurrency` tasks at once, in order', async () => {
		const pool = new TaskPool(SETTINGS);
		let running = 0;
		let most = 0;
		const started: number[] = [];
		await forEachInPool([...Array(10).keys()], pool, async (n) => {
			started.push(n);
			running++;
			most = Math.max(most, running);
			await tick();
			running--;
		});
		expect(most).toBe(4);
		expect(started).toEqual([...Array(10).keys()]);
	});

	test('a 429 halves the concurrency and holds every task back for the server delay, then runs the task again', async () => {
		const pool = new TaskPool(SETTINGS);
		const startedAt: Record<string, number[]> = {};
		let limitedAt = 0;
		let first = true;
		await forEachInPool(['a', 'b', 'c', 'd', 'e', 'f'], pool, async (name) => {
			(startedAt[name] ??= []).push(Date.now());
			await tick();
			if (name === 'a' && first) {
				first = false;
				limitedAt = Date.now();
				throw rateLimited(80);
			}
		});
		expect(pool.concurrency()).toBe(2);
		expect(startedAt.a).toHaveLength(2);
		// Nothing started during the server's delay (a lower bound only: no speed is asserted).
		const later = Object.values(startedAt)
			.flat()
			.filter((at) => at > limitedAt);
		expect(later.length).toBeGreaterThan(0);
		for (const at of later) expect(at - limitedAt).toBeGreaterThanOrEqual(78);
	});

	test('several tasks limited together halve the concurrency once', async () => {
		const pool = new TaskPool({ ...SETTINGS, concurrency: 8 });
		const limited = new Set<number>();
		await forEachInPool([...Array(8).keys()], pool, async (n) => {
			await tick();
			if (n < 3 && !limited.has(n)) {
				limited.add(n);
				throw rateLimited(30);
			}
		});
		expect(pool.concurrency()).toBe(4);
	});

	test('a task alone and still limited fails once Retries are used up', async () => {
		const pool = new TaskPool({ ...SETTINGS, concurrency: 1, maxRetries: 2 });
		let attempts = 0;
		const run = forEachInPool(['x'], pool, async () => {
			attempts++;
			throw rateLimited(1);
		});
		await expect(run).rejects.toThrow('Rate limited');
		expect(attempts).toBe(3);
	});

	test('without retryRateLimited, a 429 fails at once; other errors always do', async () => {
		const single = new TaskPool({ ...SETTINGS, retryRateLimited: false });
		let calls = 0;
		await expect(
			single.run(async () => {
				calls++;
				throw rateLimited(1);
			}),
		).rejects.toThrow('Rate limited');
		const pool = new TaskPool(SETTINGS);
		await expect(
			pool.run(async () => {
				calls++;
				throw Object.assign(new Error('server error'), { httpCode: '500' });
			}),
		).rejects.toThrow('server error');
		expect(calls).toBe(2);
		expect(pool.concurrency()).toBe(4);
	});

	test('a server delay longer than Max Retry Wait fails instead of waiting', async () => {
		const pool = new TaskPool({ ...SETTINGS, maxRetryWaitMs: 1000 });
		await expect(
			pool.run(async () => {
				throw rateLimited(5000);
			}),
		).rejects.toThrow('Rate limited');
	});

	test('no wait reaches past the deadline (a trigger poll budget)', async () => {
		const pool = new TaskPool({ ...SETTINGS, deadlineMs: Date.now() + 1000 });
		let attempts = 0;
		const run = forEachInPool(['a', 'b'], pool, async () => {
			attempts++;
			await tick();
			throw rateLimited(2000);
		});
		await expect(run).rejects.toThrow('Rate limited');
		expect(attempts).toBe(2);
	});

	test('after a failure no further task starts, and the running ones finish before it is thrown', async () => {
		const pool = new TaskPool({ ...SETTINGS, concurrency: 2 });
		const events: string[] = [];
		const run = forEachInPool(['bad', 'slow', 'never-1', 'never-2'], pool, async (name) => {
			events.push(`start ${name}`);
			if (name === 'bad') throw new Error('bad chatbot');
			await tick(30);
			events.push(`end ${name}`);
		});
		await expect(run).rejects.toThrow('bad chatbot');
		expect(events).toEqual(['start bad', 'start slow', 'end slow']);
	});
});

describe('rateLimitOf', () => {
	test('reads the transport failure, or a bare HTTP 429', () => {
		expect(rateLimitOf(rateLimited(1500))).toEqual({ retryAfterMs: 1500 });
		expect(rateLimitOf({ httpCode: '429' })).toEqual({ retryAfterMs: undefined });
		expect(rateLimitOf({ httpCode: '500' })).toBeUndefined();
		expect(rateLimitOf(new Error('x'))).toBeUndefined();
		expect(rateLimitOf(undefined)).toBeUndefined();
	});
});
