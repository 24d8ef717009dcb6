// Event and result shapes shared by the ledger, the evaluators and the persistence layer.
// Structurally identical to the declarations of @claude-flow/guidance's types.d.ts, so values
// flow freely between code typed against either package.

/** How a task is classified. */
export type TaskIntent =
  | 'bug-fix'
  | 'feature'
  | 'refactor'
  | 'security'
  | 'performance'
  | 'testing'
  | 'docs'
  | 'deployment'
  | 'architecture'
  | 'debug'
  | 'general'

/** Severity of a guidance rule and of its violations. */
export type RiskClass = 'critical' | 'high' | 'medium' | 'low' | 'info'

/** A guidance rule broken during a run. */
export interface Violation {
  ruleId: string
  description: string
  severity: RiskClass
  /** File or place where it happened, when known. */
  location?: string
  autoCorrected: boolean
}

/** One agent run, as recorded in the ledger. */
export interface RunEvent {
  /** Random UUID v4, assigned by `logEvent` and `createEvent`. */
  eventId: string
  taskId: string
  /** Hash of the guidance bundle the run used. */
  guidanceHash: string
  /** Ids of the rules that were retrieved for the run. */
  retrievedRuleIds: string[]
  toolsUsed: string[]
  filesTouched: string[]
  diffSummary: {
    linesAdded: number
    linesRemoved: number
    filesChanged: number
  }
  testResults: {
    ran: boolean
    passed: number
    failed: number
    skipped: number
  }
  violations: Violation[]
  /** null while nobody has accepted or rejected the outcome. */
  outcomeAccepted: boolean | null
  reworkLines: number
  intent: TaskIntent
  /** Milliseconds since the epoch. */
  timestamp: number
  durationMs: number
  sessionId?: string
}

/** What an evaluator says about one event. */
export interface EvaluatorResult {
  name: string
  passed: boolean
  details: string
  /** From 0 to 1. */
  score?: number
}

/** One rule's place in `rankViolations`. */
export interface ViolationRanking {
  ruleId: string
  /** How many violations of the rule were seen. */
  frequency: number
  /** Mean rework lines of the events that violated it. */
  cost: number
  /** frequency * cost; rankings are sorted by it, highest first. */
  score: number
}

/** Summary figures computed by `computeMetrics`. */
export interface OptimizationMetrics {
  /** Violations per 10 events. */
  violationRate: number
  /** Share of violations that were auto-corrected; 1 when there were none. */
  selfCorrectionRate: number
  /** Mean rework lines per event. */
  reworkLines: number
  /** Always 0 for now, as in the original. */
  clarifyingQuestions: number
  /** Number of events measured. */
  taskCount: number
}
