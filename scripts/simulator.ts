import * as path from 'path';

import type { Simulator, SimulatorOptions } from '../test/simulator';

/** The simulator is plain JS under test/; scripts run from .build/, so load it by path. */
export async function startLocalSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const { startSimulator } = require(path.resolve(__dirname, '../../test/simulator')) as typeof import('../test/simulator');
	return await startSimulator(options);
}
