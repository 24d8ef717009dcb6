'use strict'
// Argument checks shared by the public classes: the original coerces or misbehaves on these;
// native-ledger throws a TypeError or RangeError naming the argument (README, "Differences").

function describe(value) {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return typeof value === 'string' ? `the string ${JSON.stringify(value)}` : `a ${typeof value}`
}

function requireString(value, name) {
  if (typeof value !== 'string') throw new TypeError(`${name} must be a string, got ${describe(value)}`)
}

function requireNumber(value, name) {
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new TypeError(`${name} must be a number, got ${describe(value)}`)
  }
}

/** A count: a non-negative integer, or Infinity for "no limit". */
function requireCount(value, name) {
  requireNumber(value, name)
  if (value < 0 || (!Number.isInteger(value) && value !== Infinity)) {
    throw new RangeError(`${name} must be a non-negative integer, got ${value}`)
  }
}

function requireObject(value, name) {
  if (typeof value !== 'object' || value === null) {
    throw new TypeError(`${name} must be an object, got ${describe(value)}`)
  }
}

/** `JSON.stringify(value)`, the original's exact bytes, or a TypeError naming the argument. */
function toJsonLine(value, name) {
  let text
  try {
    text = JSON.stringify(value)
  } catch (err) {
    throw new TypeError(`${name} cannot be stored as JSON: ${err.message}`, { cause: err })
  }
  if (typeof text !== 'string') throw new TypeError(`${name} cannot be stored as JSON: it serializes to nothing`)
  return text
}

module.exports = { describe, requireString, requireNumber, requireCount, requireObject, toJsonLine }
