'use strict'
// placeholder: being written
class TestsPassEvaluator_ {}
class ForbiddenCommandEvaluator_ {}
class ForbiddenDependencyEvaluator_ {}
class ViolationRateEvaluator_ {}
class DiffQualityEvaluator_ {}
module.exports = { TestsPassEvaluator: TestsPassEvaluator_, ForbiddenCommandEvaluator: ForbiddenCommandEvaluator_, ForbiddenDependencyEvaluator: ForbiddenDependencyEvaluator_, ViolationRateEvaluator: ViolationRateEvaluator_, DiffQualityEvaluator: DiffQualityEvaluator_, }
