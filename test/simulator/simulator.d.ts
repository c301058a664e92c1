// Types for simulator.js live in index.d.ts; this makes `import ... from './simulator'` typed too.
export * from './index';
