'use strict'
// placeholder: being written
class RunLedger_ {}
class createLedger_ {}
module.exports = { RunLedger: RunLedger_, createLedger: createLedger_, }
