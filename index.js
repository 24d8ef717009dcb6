'use strict'
// Public entry point (CommonJS): the original's two modules (persistence.js, ledger.js), and
// AppendLog. index.mjs re-exports the same for `import`.
const { AppendLog, createAppendLog, createMemoryAppendLog } = require('./lib/append-log.js')

module.exports = {
  ...require('./persistence.js'),
  ...require('./ledger.js'),
  AppendLog,
  createAppendLog,
  createMemoryAppendLog,
}
