import {
  type DocumentNode,
  type ExecutionArgs,
  GraphQLError,
  type GraphQLSchema,
  getOperationAST,
  parse,
  specifiedRules,
  type ValidationRule,
  validate,
} from 'graphql';
import { getComplexity, simpleEstimator } from 'graphql-query-complexity';
import type { SubscribePayload } from 'graphql-ws';
import { InvalidInputError, type Problem } from '../common/errors';
import { jsonTextProblems, MAX_TEXT_PROBLEMS } from '../common/text-hygiene';
import type { GraphQLContext } from '../graphql/context';
import { InputHygieneErrorCode } from '../graphql/input-hygiene';
import { GRAPHQL_LIMITS, listSizeEstimator, parseOptions } from '../graphql/limits';

const requestError = (message: string, code: string) => new GraphQLError(message, { extensions: { code } });

/**
 * A subscribe message checked as Apollo checks an HTTP request: the token limit while parsing,
 * depth, aliases and directives (the same graphql-armor rules), cost, NUL and lone surrogates in
 * variables. Only subscriptions: queries and mutations go over HTTP, where rate limits and
 * statement timeouts apply. Returns the execution arguments, or the errors to send.
 */
export function prepareOperation(
  schema: GraphQLSchema,
  payload: SubscribePayload,
  validationRules: readonly ValidationRule[],
  contextValue: () => GraphQLContext,
): ExecutionArgs | readonly GraphQLError[] {
  let document: DocumentNode;
  try {
    document = parse(payload.query, parseOptions);
  } catch (error) {
    return [error instanceof GraphQLError ? error : requestError(String(error), 'GRAPHQL_PARSE_FAILED')];
  }
  const invalid = validate(schema, document, [...specifiedRules, ...validationRules]);
  if (invalid.length) return invalid;
  const operation = getOperationAST(document, payload.operationName);
  if (!operation) return [requestError('Unable to identify the operation: give operationName', 'BAD_REQUEST')];
  if (operation.operation !== 'subscription') {
    return [
      requestError(
        `Send ${operation.operation === 'query' ? 'queries' : 'mutations'} over HTTP POST /graphql; this socket carries subscriptions`,
        'BAD_REQUEST',
      ),
    ];
  }
  const variables = payload.variables ?? {};
  const problems: Problem[] = [];
  for (const [name, value] of Object.entries(variables)) jsonTextProblems(value, name, problems);
  if (problems.length) {
    const error = InvalidInputError.of(InputHygieneErrorCode.InvalidCharacters, problems.slice(0, MAX_TEXT_PROBLEMS));
    return [new GraphQLError(error.message, { originalError: error })];
  }
  let cost = 0;
  try {
    cost = getComplexity({
      schema,
      query: document,
      operationName: payload.operationName ?? undefined,
      variables,
      estimators: [listSizeEstimator, simpleEstimator({ defaultComplexity: 1 })],
    });
  } catch {
    // variables that do not coerce: execution reports them, naming the field
  }
  if (cost > GRAPHQL_LIMITS.maxComplexity) {
    return [requestError(`Subscription is too complex: cost ${cost}, at most ${GRAPHQL_LIMITS.maxComplexity}`, 'QUERY_TOO_COMPLEX')];
  }
  return {
    schema,
    document,
    operationName: payload.operationName,
    variableValues: variables,
    contextValue: contextValue(),
  };
}
