'use strict';

// Lets `require('./test/simulator')` work; types are in index.d.ts.
module.exports = require('./simulator');
