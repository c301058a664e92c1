// Prints the plain closing line CI reads: "N passed, N failed".
// With TEST_SUMMARY_FILE set, it also appends the counts there so .ci/run can add up every suite.
const fs = require('fs');

class SummaryReporter {
	onRunComplete(_contexts, results) {
		const passed = results.numPassedTests;
		const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
		process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
		if (process.env.TEST_SUMMARY_FILE) fs.appendFileSync(process.env.TEST_SUMMARY_FILE, `${passed} ${failed}\n`);
	}
}
module.exports = SummaryReporter;
