'use strict'
// The five built-in evaluators. Their results (name, passed, details, score) must equal the
// original's to the character and to the bit, so each computes its numbers with the same
// operations in the same order. Configuration stays in plain own properties, as in the original,
// because JS callers can read and change them (e.g. `evaluator.name = 'x'`).
const { describe, requireNumber, requireString, requireEvent, requireArray } = require('./ledger-args.js')

class TestsPassEvaluator {
  constructor() {
    this.name = 'tests-pass'
    this.type = 'objective'
  }

  async evaluate(event) {
    requireEvent(event, 'event')
    const tests = event.testResults
    if (!tests.ran) {
      return { name: this.name, passed: false, details: 'Tests were not run during this task', score: 0 }
    }
    const passed = tests.failed === 0
    const total = tests.passed + tests.failed + tests.skipped
    const details = passed
      ? `All ${tests.passed} tests passed (${tests.skipped} skipped)`
      : `${tests.failed} of ${total} tests failed`
    return { name: this.name, passed, details, score: total > 0 ? tests.passed / total : 0 }
  }
}

// A fresh array per instance: the evaluator keeps the caller's array by reference (as the
// original does), so instances must not share one.
function defaultForbiddenPatterns() {
  return [
    /\brm\s+-rf\s+\//,
    /\bgit\s+push\s+--force\s+origin\s+(?:main|master)\b/,
    /\bcurl\s+.*\|\s*(?:sh|bash)\b/,
    /\beval\s*\(/,
    /\bexec\s*\(/,
  ]
}

class ForbiddenCommandEvaluator {
  constructor(forbiddenPatterns) {
    this.name = 'forbidden-command-scan'
    this.type = 'objective'
    if (forbiddenPatterns === undefined || forbiddenPatterns === null) {
      this.forbiddenPatterns = defaultForbiddenPatterns()
    } else {
      requireArray(forbiddenPatterns, 'forbiddenPatterns')
      forbiddenPatterns.forEach((pattern, i) => {
        // Anything with test() and source works in the original, so RegExp-likes are accepted.
        if (pattern === null || typeof pattern !== 'object' || typeof pattern.test !== 'function') {
          throw new TypeError(`forbiddenPatterns[${i}] must be a RegExp, got ${describe(pattern)}`)
        }
      })
      this.forbiddenPatterns = forbiddenPatterns
    }
  }

  async evaluate(event) {
    requireEvent(event, 'event')
    const found = []
    // Tools outer, patterns inner: a stateful (/g) pattern's lastIndex then advances exactly as
    // in the original.
    for (const tool of event.toolsUsed) {
      for (const pattern of this.forbiddenPatterns) {
        if (pattern.test(tool)) found.push(`Forbidden command pattern: ${pattern.source} matched in "${tool}"`)
      }
    }
    if (found.length === 0) {
      return { name: this.name, passed: true, details: 'No forbidden commands detected', score: 1 }
    }
    return {
      name: this.name,
      passed: false,
      details: `Found ${found.length} forbidden command(s): ${found.join('; ')}`,
      score: 0,
    }
  }
}

const isPackageManifest = (file) => file.endsWith('package.json') || file.endsWith('package-lock.json')

class ForbiddenDependencyEvaluator {
  constructor(forbiddenPackages) {
    this.name = 'forbidden-dependency-scan'
    this.type = 'objective'
    if (forbiddenPackages === undefined || forbiddenPackages === null) {
      this.forbiddenPackages = []
    } else {
      requireArray(forbiddenPackages, 'forbiddenPackages')
      forbiddenPackages.forEach((name, i) => requireString(name, `forbiddenPackages[${i}]`))
      this.forbiddenPackages = forbiddenPackages
    }
  }

  // Like the original, this only flags touched manifests for review; it never fails a run.
  async evaluate(event) {
    requireEvent(event, 'event')
    if (this.forbiddenPackages.length === 0) {
      return { name: this.name, passed: true, details: 'No forbidden dependencies configured', score: 1 }
    }
    const manifests = event.filesTouched.filter(isPackageManifest)
    const details =
      manifests.length > 0
        ? `Package files modified: ${manifests.join(', ')} - manual review recommended`
        : 'No package files modified'
    return { name: this.name, passed: true, details, score: 1 }
  }
}

class ViolationRateEvaluator {
  constructor(maxViolations = 0) {
    requireNumber(maxViolations, 'maxViolations')
    this.name = 'violation-rate'
    this.type = 'objective'
    this.maxViolations = maxViolations
  }

  async evaluate(event) {
    requireEvent(event, 'event')
    const count = event.violations.length
    const max = this.maxViolations
    const passed = count <= max
    return {
      name: this.name,
      passed,
      details: `${count} violation(s) ${passed ? 'within' : 'exceeds'} threshold (max: ${max})`,
      score: Math.max(0, 1 - count / Math.max(max + 1, 1)),
    }
  }
}

class DiffQualityEvaluator {
  constructor(maxReworkRatio = 0.3) {
    requireNumber(maxReworkRatio, 'maxReworkRatio')
    this.name = 'diff-quality'
    this.type = 'objective'
    this.maxReworkRatio = maxReworkRatio
  }

  async evaluate(event) {
    requireEvent(event, 'event')
    const { linesAdded, linesRemoved } = event.diffSummary
    const totalLines = linesAdded + linesRemoved
    if (totalLines === 0) return { name: this.name, passed: true, details: 'No diff produced', score: 1 }
    const ratio = event.reworkLines / totalLines
    const percent = (ratio * 100).toFixed(1)
    const threshold = (this.maxReworkRatio * 100).toFixed(0)
    return {
      name: this.name,
      passed: ratio <= this.maxReworkRatio,
      details: `Rework ratio: ${percent}% (${event.reworkLines}/${totalLines} lines). Threshold: ${threshold}%`,
      score: Math.max(0, 1 - ratio),
    }
  }
}

module.exports = {
  TestsPassEvaluator,
  ForbiddenCommandEvaluator,
  ForbiddenDependencyEvaluator,
  ViolationRateEvaluator,
  DiffQualityEvaluator,
}
