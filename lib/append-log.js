'use strict'
// placeholder: being written
class AppendLog_ {}
class createAppendLog_ {}
class createMemoryAppendLog_ {}
module.exports = { AppendLog: AppendLog_, createAppendLog: createAppendLog_, createMemoryAppendLog: createMemoryAppendLog_, }
