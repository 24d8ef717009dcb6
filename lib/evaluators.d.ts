import type { RunEvent, EvaluatorResult } from './types'

/** Anything the ledger can run against an event: the built-ins below, or your own object. */
export interface IEvaluator {
  name: string
  /** 'objective' for automated checks, 'subjective' for human judgement. */
  type: 'objective' | 'subjective'
  evaluate(event: RunEvent): Promise<EvaluatorResult>
}

/** 'tests-pass': passes when tests ran and none failed; score = passed / total. */
export declare class TestsPassEvaluator implements IEvaluator {
  name: string
  type: 'objective'
  evaluate(event: RunEvent): Promise<EvaluatorResult>
}

/**
 * 'forbidden-command-scan': fails when any entry of `toolsUsed` matches a pattern.
 * Without patterns it looks for `rm -rf /`, a force push to main/master, `curl … | sh`,
 * `eval(` and `exec(`. The array is kept by reference.
 */
export declare class ForbiddenCommandEvaluator implements IEvaluator {
  name: string
  type: 'objective'
  private forbiddenPatterns
  constructor(forbiddenPatterns?: RegExp[])
  evaluate(event: RunEvent): Promise<EvaluatorResult>
}

/**
 * 'forbidden-dependency-scan': always passes; when packages are configured, its details list
 * the touched package.json / package-lock.json files for a manual review.
 */
export declare class ForbiddenDependencyEvaluator implements IEvaluator {
  name: string
  type: 'objective'
  private forbiddenPackages
  constructor(forbiddenPackages?: string[])
  evaluate(event: RunEvent): Promise<EvaluatorResult>
}

/** 'violation-rate': passes when the event has at most `maxViolations` (default 0) violations. */
export declare class ViolationRateEvaluator implements IEvaluator {
  name: string
  type: 'objective'
  private maxViolations
  constructor(maxViolations?: number)
  evaluate(event: RunEvent): Promise<EvaluatorResult>
}

/** 'diff-quality': passes when reworkLines / (linesAdded + linesRemoved) <= `maxReworkRatio` (default 0.3). */
export declare class DiffQualityEvaluator implements IEvaluator {
  name: string
  type: 'objective'
  private maxReworkRatio
  constructor(maxReworkRatio?: number)
  evaluate(event: RunEvent): Promise<EvaluatorResult>
}
