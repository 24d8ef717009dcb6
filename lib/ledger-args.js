'use strict'
// Argument checks for RunLedger and the evaluators, on top of the package's shared ones
// (args.js). The original coerces ('5' works as 5) or accepts nonsense that breaks a later call
// (logEvent(null) stores `{ eventId }`); we refuse such arguments at the call, naming them.
// Only the type is checked: every value of the right type behaves exactly as in the original.
const { describe, requireString, requireNumber } = require('./args.js')

/** An event: a non-null object that is not an array. */
function isEventLike(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function requireEvent(value, name) {
  if (!isEventLike(value)) throw new TypeError(`${name} must be an object, got ${describe(value)}`)
}

function requireArray(value, name) {
  if (!Array.isArray(value)) throw new TypeError(`${name} must be an array, got ${describe(value)}`)
}

// The original treats null like an omitted optional array (it uses `??`), so both are accepted.
function requireOptionalArray(value, name) {
  if (value !== undefined && value !== null) requireArray(value, name)
}

module.exports = { describe, requireString, requireNumber, requireEvent, requireArray, requireOptionalArray, isEventLike }
