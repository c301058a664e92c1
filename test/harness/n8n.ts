/**
 * Test harness that runs our nodes through n8n-core's REAL execution machinery.
 *
 * Why: a hand-written fake of IExecuteFunctions / IPollFunctions only proves that a node works
 * against our own idea of n8n. Here every `this.*` call a node makes is answered by n8n-core 2.41
 * itself: parameters are resolved by n8n-workflow's expression engine (with defaults applied the
 * way the editor/Workflow constructor does), `this.getCredentials()` goes through n8n-core's
 * credential checks, `this.helpers.httpRequestWithAuthentication()` goes through n8n-core's request
 * helpers + @n8n/backend-network's HTTP client (so nock sees the real outgoing request),
 * `this.getWorkflowStaticData()` returns n8n-workflow's ObservableObject, and errors are shaped by
 * n8n-workflow's NodeApiError / NodeOperationError.
 *
 * What is real (n8n-core / n8n-workflow code, unmodified):
 *  - executeNode: `WorkflowExecute.processRunExecutionData` on a 2-node workflow
 *    (manual-trigger-like start node -> node under test), i.e. the same path n8n's own
 *    `packages/core/nodes-testing/node-test-harness.ts` uses. `ExecuteContext` is built by
 *    WorkflowExecute itself, continueOnFail comes from `node.onError`.
 *  - pollNode 'trigger': a real `PollContext` driven by n8n-core's `PollTriggerExecutor` (the object
 *    `ActiveWorkflowTriggers` uses for every scheduled poll tick), through `TriggersAndPollers`.
 *  - pollNode 'manual': exactly what `WorkflowExecute.executePollNode` does for "Fetch Test Event":
 *    `new PollContext(workflow, node, additionalData, 'manual', 'manual')` + `nodeType.poll.call()`.
 *  - loadOptions: a real `LoadOptionsContext`, built like the CLI's DynamicNodeParametersService.
 *  - Workflow, ObservableObject static data, expression resolution, NodeHelpers, Logger,
 *    ErrorReporter, Tracing (no-op implementation by default), OutboundHttp.
 *
 * What is stubbed (things that live in packages/cli, which is not installed):
 *  - `TestCredentialsHelper` replaces the CLI's CredentialsHelper (DB + encryption). It serves the
 *    plain credential data you pass in, applies credential-property defaults and resolves
 *    expressions in credential data like the CLI does, and applies `authenticate` (function or
 *    IAuthenticateGeneric) with the same expression resolution as
 *    packages/cli/src/credentials-helper.ts. No OAuth, no credential overwrites, no $secrets.
 *  - `IWorkflowExecuteAdditionalData` is a plain object (CLI: workflow-execute-additional-data.ts
 *    `getBase()`); sub-workflow execution, task runners and AI logging throw / no-op.
 *  - `InstanceSettings` is a stub object registered in the DI container, because the real class
 *    reads/creates ~/.n8n/config (encryption key) on construction. Nodes only see it through
 *    `getInstanceId()` / signed resume URLs.
 *  - The CLI's persistence of static data (WorkflowStaticDataService) is modelled, see pollNode.
 *  - The node type is "loaded" the way n8n-core's DirectoryLoader does it (polling nodes get the
 *    `pollTimes` parameter prepended, loadOptions method names are recorded) on a shallow clone,
 *    so our node instances are never mutated. `execute`/`poll` are wrapped transparently only to
 *    capture the original error object (WorkflowExecute stores errors as `{ ...error }` copies).
 *
 * DI container: n8n-core pulls a few services from `@n8n/di`'s Container (Logger,
 * InstanceSettings, OutboundHttp, ErrorReporter, Tracing, TriggersAndPollers, PollTriggerExecutor).
 * All of them construct fine from defaults except InstanceSettings (see above). Logging is made
 * silent unless N8N_LOG_LEVEL is set, by setting GlobalConfig.logging.level before the root Logger
 * is constructed. Jest gives every test file its own module registry, hence its own Container.
 *
 * HTTP: n8n-core 2.41 sends requests through @n8n/backend-network (axios based, Node http module),
 * so `nock` intercepts them. SSRF protection is off by default (N8N_SSRF_PROTECTION_ENABLED).
 * NOTE (real n8n behaviour): httpRequestWithAuthentication retries once on HTTP 401 (it calls
 * credentialsHelper.preAuthentication(..., expired=true) and re-sends). Mock 401s with `.times(2)`.
 */

// The harness lives by job in engine/ (types, bootstrap, nodeTypes, credentials, workflow, poll,
// methods); this file re-exports it, so `import ... from './harness/n8n'` keeps working.
export * from './engine/types';
export * from './engine/bootstrap';
export * from './engine/nodeTypes';
export * from './engine/credentials';
export * from './engine/workflow';
export * from './engine/poll';
export * from './engine/methods';
