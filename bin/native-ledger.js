#!/usr/bin/env node
'use strict'
// `npx native-ledger COMMAND ...`; see cli/main.js.
process.stdout.on('error', (err) => {
  // `native-ledger export ... | head`: the reader has what it wanted.
  if (err.code === 'EPIPE') process.exit(0)
  throw err
})
require('../cli/main.js')
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code
  })
