import { sleep } from 'n8n-workflow';

export interface PoolSettings {
	/** How many tasks run at once at first; a 429 halves it (down to 1) for the rest of the run. */
	concurrency: number;
	/**
	 * Whether a task rate-limited after the transport's own retries runs again. Off for a single
	 * task (one chatbot), whose 429s only the transport retries: there is no pace to lower.
	 */
	retryRateLimited: boolean;
	/** The Retries option: how often a task is run again once the pool is down to one at a time. */
	maxRetries: number;
	/** The wait after a 429 when the server named none; it doubles for each 429 of the same task. */
	retryBaseDelayMs: number;
	/** The most one task waits for the pool in all after 429s; a server asking for more fails it. */
	maxRetryWaitMs: number;
	/** Host time by which everything must be done (a trigger's poll budget): no wait reaches past it. */
	deadlineMs?: number;
}

/**
 * Whether an error is a rate limit (HTTP 429) that outlasted the transport's retries, and the
 * server's delay when the error carries it (`failure.retryAfterMs`, where the transport adds it).
 */
export function rateLimitOf(error: unknown): { retryAfterMs?: number } | undefined {
	const candidate = error as { httpCode?: unknown; failure?: { cause?: unknown; retryAfterMs?: unknown } } | undefined;
	const failure = candidate?.failure;
	const retryAfterMs = typeof failure?.retryAfterMs === 'number' && failure.retryAfterMs >= 0 ? failure.retryAfterMs : undefined;
	if (failure?.cause === 'rate-limited' || String(candidate?.httpCode) === '429') return { retryAfterMs };
	return undefined;
}

/** A task's value or its error, without a catch block around the caller's decision. */
export async function settle<T>(task: () => Promise<T>): Promise<{ value: T } | { error: unknown }> {
	try {
		return { value: await task() };
	} catch (error) {
		return { error };
	}
}

/**
 * Runs tasks (one chatbot's requests each) a few at a time. A task that is rate-limited even
 * after the transport's retries is not a failure yet: the pool halves its concurrency, holds
 * every task back for the server's delay, and runs that task again.
 */
export class TaskPool {
	private limit: number;

	private active = 0;

	private pausedUntil = 0;

	private readonly waiting: Array<() => void> = [];

	constructor(private readonly settings: PoolSettings) {
		this.limit = Math.max(1, Math.floor(settings.concurrency));
	}

	/** The concurrency now (lower after 429s). */
	concurrency(): number {
		return this.limit;
	}

	/** Runs `task` when a slot is free; its errors pass through unchanged, the node errors they already are. */
	async run<T>(task: () => Promise<T>): Promise<T> {
		let waited = 0;
		for (let round = 0; ; round++) {
			await this.acquire(round > 0);
			const outcome = await settle(task);
			// Other tasks in flight beside this one: the 429 may be our own doing, and slowing down cures it.
			const crowded = this.active > 1;
			this.release();
			if ('value' in outcome) return outcome.value;
			const limited = rateLimitOf(outcome.error);
			const delay = limited?.retryAfterMs ?? this.settings.retryBaseDelayMs * 2 ** round;
			const patient = crowded || round < this.settings.maxRetries;
			const inTime = this.settings.deadlineMs === undefined || Date.now() + delay < this.settings.deadlineMs;
			const canRetry = this.settings.retryRateLimited && patient && inTime && waited + delay <= this.settings.maxRetryWaitMs;
			if (!limited || !canRetry) throw outcome.error;
			waited += delay;
			this.slowDown(delay);
		}
	}

	/** Halves the concurrency once per pause (several tasks limited together are one signal). */
	private slowDown(delayMs: number): void {
		const now = Date.now();
		if (now >= this.pausedUntil) this.limit = Math.max(1, Math.floor(this.limit / 2));
		this.pausedUntil = Math.max(this.pausedUntil, now + delayMs);
	}

	/** Waits for a free slot outside any pause. `first`: a task that already waited goes ahead of new ones. */
	private async acquire(first: boolean): Promise<void> {
		let ahead = first;
		for (;;) {
			const pause = this.pausedUntil - Date.now();
			if (pause > 0) await sleep(pause);
			else if (this.active < this.limit) {
				this.active++;
				return;
			} else {
				await new Promise<void>((resolve) => (ahead ? this.waiting.unshift(resolve) : this.waiting.push(resolve)));
				ahead = true;
			}
		}
	}

	private release(): void {
		this.active--;
		this.waiting.shift()?.();
	}
}

/**
 * `work` for every item through the pool, in item order as far as the pool allows. After the
 * first failure no further item starts; the running ones settle (so no request outlives the
 * call), then that failure is thrown.
 */
export async function forEachInPool<T>(
	items: readonly T[],
	pool: TaskPool,
	work: (item: T, index: number) => Promise<void>,
): Promise<void> {
	let failure: { error: unknown } | undefined;
	await Promise.allSettled(
		items.map(async (item, index) => {
			try {
				await pool.run(async () => {
					if (!failure) await work(item, index);
				});
			} catch (error) {
				failure ??= { error };
			}
		}),
	);
	if (failure) throw failure.error;
}

/**
 * `work` for every item through the pool, every item to the end whatever the others do: each
 * item's value or error, in item order.
 */
export async function settleEachInPool<T, R>(
	items: readonly T[],
	pool: TaskPool,
	work: (item: T, index: number) => Promise<R>,
): Promise<Array<{ value: R } | { error: unknown }>> {
	return await Promise.all(items.map(async (item, index) => await settle(async () => await pool.run(async () => await work(item, index)))));
}
