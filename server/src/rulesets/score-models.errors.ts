export enum ScoreModelErrorCode {
  InvalidScoreModel = 'INVALID_SCORE_MODEL',
  ScoreModelExists = 'SCORE_MODEL_EXISTS',
  ScoreModelNotFound = 'SCORE_MODEL_NOT_FOUND',
}
