'use strict';
/**
 * The ways n8n runs a polling trigger, as ready-to-start test instances ("engines"). Each engine
 * is a real n8n (scripts/n8n/lib.js) with its own temp home(s), its own variables and, for queue
 * mode, its own Postgres, Redis and one `n8n worker` (scripts/n8n/services.js), all on free
 * loopback ports and stopped by process id. CommonJS, no deps, Node 20.
 *
 *   const { createEngine, ENGINES } = require('./scripts/n8n/engines');
 *   const engine = await createEngine('queue');        // installs n8n if needed, starts services
 *   await engine.installPackage(tgz);                   // main home and every worker home
 *   await engine.importCredentials([...]); await engine.importWorkflows([...]);
 *   await engine.activate(['wf1', 'wf2']);              // while stopped: publish / update --active
 *   await engine.start();                               // worker(s) first, then `n8n start`
 *   await engine.readExecutions('wf1');                 // SQLite or Postgres alike
 *   await engine.killMain();                            // kill -9 of main + its task runners
 *   await engine.tearDown();
 *
 * | engine | n8n | what is different |
 * | --- | --- | --- |
 * | default | 2.41.1 | nothing: SQLite, one process |
 * | scheduler | 2.41.1 | durable scheduler for poll triggers (N8N_SCHEDULER_ENABLED, N8N_SCHEDULER_POLL_TRIGGERS_ENABLED, N8N_USE_WORKFLOW_PUBLICATION_SERVICE) |
 * | scheduler-cursors | 2.41.1 | the above + N8N_POLLER_DURABLE_CURSORS_ENABLED (poller_state, cursor saved with the execution) |
 * | queue | 2.41.1 | EXECUTIONS_MODE=queue, Postgres, Redis, one `n8n worker` running the executions |
 * | v1 | 1.123.81 | n8n 1.x, default engine |
 */
const crypto = require('crypto');

const n8n = require('./lib');
const services = require('./services');

const DURABLE_SCHEDULER_ENV = {
	N8N_SCHEDULER_ENABLED: 'true',
	N8N_SCHEDULER_POLL_TRIGGERS_ENABLED: 'true',
	N8N_USE_WORKFLOW_PUBLICATION_SERVICE: 'true',
};

/**
 * The engine profiles (`postgres: true` puts any of them on Postgres). `atomicCursorSave`: n8n commits the poll's cursor in the same database
 * transaction as the execution it emits (PollCursorService.commitWithExecution with durable
 * cursors on). Everywhere else n8n fires the static-data save and creates the execution as two
 * separate writes (TriggerExecutionContextFactory's __emit), so a hard kill between them can
 * repeat (or, in the other order, drop) one poll's leads.
 */
const ENGINES = {
	default: {
		name: 'default',
		title: 'n8n 2.41.1, default engine (SQLite, one process)',
		version: n8n.DEFAULT_VERSION,
		env: {},
		durableScheduler: false,
		atomicCursorSave: false,
	},
	scheduler: {
		name: 'scheduler',
		title: 'n8n 2.41.1, durable scheduler, no durable cursors',
		version: n8n.DEFAULT_VERSION,
		env: { ...DURABLE_SCHEDULER_ENV },
		durableScheduler: true,
		atomicCursorSave: false,
	},
	'scheduler-cursors': {
		name: 'scheduler-cursors',
		title: 'n8n 2.41.1, durable scheduler + durable cursors',
		version: n8n.DEFAULT_VERSION,
		env: { ...DURABLE_SCHEDULER_ENV, N8N_POLLER_DURABLE_CURSORS_ENABLED: 'true' },
		durableScheduler: true,
		atomicCursorSave: true,
	},
	queue: {
		name: 'queue',
		title: 'n8n 2.41.1, queue mode (Postgres, Redis, 1 worker)',
		version: n8n.DEFAULT_VERSION,
		env: { EXECUTIONS_MODE: 'queue' },
		queue: true,
		workers: 1,
		durableScheduler: false,
		atomicCursorSave: false,
	},
	v1: {
		name: 'v1',
		title: `n8n ${n8n.V1_VERSION}, default engine (SQLite, one process)`,
		version: n8n.V1_VERSION,
		env: {},
		durableScheduler: false,
		atomicCursorSave: false,
	},
};

/**
 * The second of the minute at which n8n 2.41's durable scheduler runs an "every minute" poll of
 * (workflowId, nodeId): PollTriggerJobRegistrar's seededCron, sha256(`${wf}:${node}:second`).
 * (The default engine picks a random second at each activation instead.) The scheduler's
 * executor loop then claims the task within about 5.5 s.
 */
function durableTickSecond(workflowId, nodeId) {
	const hash = crypto.createHash('sha256').update(`${workflowId}:${nodeId}:second`).digest();
	return hash.readUInt32BE(0) % 60;
}

class Engine {
	constructor(profile, { echo = false, prefix = 'chatbot-leads-engine-' } = {}) {
		this.profile = profile;
		this.name = profile.name;
		this.version = profile.version;
		this.echo = echo;
		this.prefix = prefix;
		this.main = null;
		this.workers = [];
		this.workerHomes = [];
		this.encryptionKey = crypto.randomBytes(24).toString('hex');
	}

	/** Installs this engine's n8n when missing, starts Postgres/Redis for queue mode, makes the homes. */
	async setUp() {
		n8n.ensureInstalled({ quiet: true, version: this.version });
		const env = { ...this.profile.env, N8N_ENCRYPTION_KEY: this.encryptionKey };
		if (this.profile.queue || this.profile.postgres) {
			this.postgres = await services.startPostgres();
			const database = await this.postgres.createDatabase('n8n');
			Object.assign(env, {
				DB_TYPE: 'postgresdb',
				DB_POSTGRESDB_HOST: this.postgres.host,
				DB_POSTGRESDB_PORT: String(this.postgres.port),
				DB_POSTGRESDB_USER: this.postgres.user,
				DB_POSTGRESDB_DATABASE: database,
			});
		}
		if (this.profile.queue) {
			this.redis = await services.startRedis();
			Object.assign(env, {
				QUEUE_BULL_REDIS_HOST: this.redis.host,
				QUEUE_BULL_REDIS_PORT: String(this.redis.port),
				QUEUE_HEALTH_CHECK_ACTIVE: 'false',
			});
		}
		this.env = env;
		this.home = n8n.createN8nHome(`${this.prefix}${this.name}-`, { version: this.version, env });
		// Each worker gets its own home (its own nodes folder, as on another machine), sharing
		// the database, Redis and the encryption key.
		for (let i = 0; i < (this.profile.workers || 0); i++) {
			this.workerHomes.push(n8n.createN8nHome(`${this.prefix}${this.name}-worker${i + 1}-`, { version: this.version, env }));
		}
		return this;
	}

	describe() {
		const parts = [this.profile.title, `home ${this.home}`];
		if (this.postgres) parts.push(`Postgres :${this.postgres.port} (pid ${this.postgres.pid})`);
		if (this.redis) parts.push(`Redis :${this.redis.port} (pid ${this.redis.pid})`);
		return parts.join('; ');
	}

	/** Installs the packed community package into the main home and every worker home. */
	async installPackage(tgz) {
		const installed = await n8n.installPackedPackage(this.home, tgz);
		for (const home of this.workerHomes) await n8n.installPackedPackage(home, tgz);
		return installed;
	}

	importCredentials(credentials) {
		return n8n.importCredentials(this.home, credentials);
	}

	importWorkflows(workflows) {
		return n8n.importWorkflow(this.home, workflows);
	}

	/**
	 * Activates workflows while n8n is stopped, the way each version does it from the CLI:
	 * 2.x `publish:workflow --id` (the durable scheduler takes them over at start through the
	 * publication service), 1.x `update:workflow --id --active=true`.
	 */
	async activate(ids) {
		for (const id of ids) {
			if (this.version.startsWith('1.')) await n8n.runN8n(this.home, ['update:workflow', `--id=${id}`, '--active=true']);
			else await n8n.publishWorkflow(this.home, id);
		}
	}

	/** Starts the worker(s) not running yet, then `n8n start`. Resolves the main handle. */
	async start({ timeoutMs = 180000 } = {}) {
		if (this.profile.queue) {
			for (const [i, home] of this.workerHomes.entries()) {
				const running = this.workers[i];
				if (running && running.process.exitCode === null && running.process.signalCode === null) continue;
				this.workers[i] = await n8n.startN8nWorker(home, { timeoutMs, echo: this.echo ? `[${this.name} worker${i + 1}] ` : false });
			}
		}
		this.main = await n8n.startN8n(this.home, { timeoutMs, echo: this.echo ? `[${this.name}] ` : false });
		return this.main;
	}

	mainRunning() {
		return Boolean(this.main && this.main.process.exitCode === null && this.main.process.signalCode === null);
	}

	/** SIGTERM to main (graceful shutdown); workers keep running. */
	async stopMain() {
		if (!this.main) return null;
		const main = this.main;
		this.main = null;
		return main.stop();
	}

	/** kill -9 of the main process group (n8n and its task runners); workers keep running. */
	async killMain() {
		if (!this.main) return null;
		const main = this.main;
		this.main = null;
		return main.kill();
	}

	/** Every "Worker started execution <id>" the workers printed. */
	workerExecutionIds() {
		const ids = new Set();
		for (const worker of this.workers) {
			if (!worker) continue;
			for (const m of worker.output().matchAll(/Worker started execution (\d+)/g)) ids.add(m[1]);
		}
		return ids;
	}

	/** Output of the worker processes seen so far (previous ones included). */
	workerOutput() {
		return this.workers.map((w) => (w ? w.output() : '')).join('\n');
	}

	readExecutions(workflowId, options) {
		return n8n.readExecutions(this.home, workflowId, options);
	}

	readStaticData(workflowId) {
		return n8n.readStaticData(this.home, workflowId);
	}

	/** poller_state rows (durable cursors); [] where the table does not exist (1.x). */
	async readPollerState(workflowId) {
		try {
			return await n8n.readPollerState(this.home, workflowId);
		} catch (error) {
			if (/no such table|does not exist/i.test(error.message)) return [];
			throw error;
		}
	}

	queryDb(sql, params) {
		return n8n.queryDb(this.home, sql, params);
	}

	/** Stops every process of this engine (main, workers, Redis, Postgres) and removes its homes unless keep. */
	async tearDown({ keep = false } = {}) {
		const errors = [];
		const attempt = async (fn) => {
			try {
				await fn();
			} catch (error) {
				errors.push(error);
			}
		};
		if (this.main) await attempt(() => this.stopMain());
		for (const worker of this.workers) if (worker) await attempt(() => worker.stop());
		this.workers = [];
		if (this.redis) await attempt(() => this.redis.stop());
		if (this.postgres) await attempt(() => this.postgres.stop());
		if (!keep) {
			for (const home of [this.home, ...this.workerHomes]) if (home) n8n.removeN8nHome(home);
		}
		if (errors.length) throw errors[0];
	}
}

/**
 * A set-up engine (see the table above): `name` is a key of ENGINES, or a profile object of the
 * same shape (e.g. { ...ENGINES['scheduler-cursors'], name: 'scheduler-cursors-pg', postgres: true }).
 */
async function createEngine(name, options = {}) {
	const profile = typeof name === 'object' ? name : ENGINES[name];
	if (!profile) throw new Error(`unknown engine '${name}' (known: ${Object.keys(ENGINES).join(', ')})`);
	const engine = new Engine(profile, options);
	try {
		await engine.setUp();
	} catch (error) {
		await engine.tearDown().catch(() => {});
		throw error;
	}
	return engine;
}

module.exports = { ENGINES, DURABLE_SCHEDULER_ENV, createEngine, durableTickSecond, Engine };
