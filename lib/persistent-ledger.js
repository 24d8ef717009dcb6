'use strict'
// placeholder: being written
class PersistentLedger_ {}
class createPersistentLedger_ {}
module.exports = { PersistentLedger: PersistentLedger_, createPersistentLedger: createPersistentLedger_, }
