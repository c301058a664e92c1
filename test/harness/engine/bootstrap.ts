/** n8n-core's services, set up once per test process. */

import * as os from 'node:os';
import * as path from 'node:path';
import { Logger } from '@n8n/backend-common';
import { GlobalConfig } from '@n8n/config';
import { Container } from '@n8n/di';
import { InstanceSettings } from 'n8n-core';

// ---------------------------------------------------------------------------------------------
// DI bootstrap
// ---------------------------------------------------------------------------------------------

let bootstrapped = false;

export function bootstrapN8nCore(): void {
	if (bootstrapped) return;
	bootstrapped = true;

	// Silence n8n's winston logger (ErrorReporter logs every node error at level "error").
	// Must happen before the first Container.get(Logger): the root Logger reads the level once and
	// also initialises n8n-workflow's LoggerProxy with itself.
	if (!process.env.N8N_LOG_LEVEL) Container.get(GlobalConfig).logging.level = 'silent';
	Container.get(Logger);

	// The real InstanceSettings reads or creates `~/.n8n/config` in its constructor. Nodes only use
	// instanceId / hmacSignatureSecret (getInstanceId(), signed resume URLs); WorkflowExecute's
	// StorageConfig joins a path onto n8nFolder (nothing is written there for JSON-only nodes).
	const instanceSettings = {
		n8nFolder: path.join(os.tmpdir(), 'n8n-test-harness'),
		fsStorageMigrated: true,
		instanceId: 'test-instance-id',
		hmacSignatureSecret: 'test-hmac-secret',
		encryptionKey: 'test-encryption-key',
		instanceType: 'main',
		isLeader: true,
		isMultiMain: false,
		isSingleMain: true,
		isWorker: false,
	};
	Container.set(InstanceSettings, instanceSettings as unknown as InstanceSettings);
}
