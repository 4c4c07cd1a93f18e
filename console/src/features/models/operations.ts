import { graphql } from '@/gql';

/** The score models of one subject (or all), with their rule sets for the backtest picker. */
export const ScoreModelsQuery = graphql(`
  query ScoreModels($subject: ScoreSubject) {
    scoreModels(subject: $subject) {
      key
      subject
      name
      isDefault
      ruleSets { key name isDefault activeVersionId }
    }
  }
`);
