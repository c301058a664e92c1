const { src, dest, task } = require('gulp');

// n8n resolves `icon: 'file:…'` relative to the compiled node, so icons must sit beside it in dist/.
task('build:icons', () =>
	src(['icons/**/*.svg', 'nodes/**/*.{svg,png,json}', 'credentials/**/*.{svg,png}'], {
		base: '.',
		encoding: false,
	}).pipe(dest('dist')),
);
