'use strict'
// Argument checks for RunLedger and the evaluators. The original module coerces ('5' works as 5)
// or accepts nonsense that breaks a later call (logEvent(null) stores `{ eventId }`); we refuse
// such arguments at the call with a TypeError that names the argument. Only the type is
// checked: every value of the right type behaves exactly as in the original.

function received(value) {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'string') return `type string (${JSON.stringify(value.slice(0, 40))})`
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') {
    return `type ${typeof value} (${String(value)})`
  }
  return `type ${typeof value}`
}

function invalidArg(name, expected, value) {
  const err = new TypeError(`The "${name}" argument must be ${expected}. Received ${received(value)}`)
  err.code = 'ERR_INVALID_ARG_TYPE'
  return err
}

function checkNumber(value, name) {
  if (typeof value !== 'number') throw invalidArg(name, 'of type number', value)
}

function checkString(value, name) {
  if (typeof value !== 'string') throw invalidArg(name, 'of type string', value)
}

function isPlainObjectLike(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function checkObject(value, name) {
  if (!isPlainObjectLike(value)) throw invalidArg(name, 'an object', value)
}

function checkArray(value, name) {
  if (!Array.isArray(value)) throw invalidArg(name, 'an array', value)
}

// The original treats null like an omitted optional array (it uses `??`), so both are accepted.
function checkOptionalArray(value, name) {
  if (value !== undefined && value !== null) checkArray(value, name)
}

module.exports = {
  invalidArg,
  checkNumber,
  checkString,
  checkObject,
  checkArray,
  checkOptionalArray,
  isPlainObjectLike,
}
