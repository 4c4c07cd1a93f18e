import type { ApolloServerPlugin } from '@apollo/server';
import type { Logger } from 'pino';
import type { GraphQLContext } from '../graphql/context';
import { metrics } from './metrics';

/** Times every operation, counts errors by the code sent to the client, and logs one line per request with its request id. */
export function graphqlMetricsPlugin(logger: Logger): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart({ request, contextValue }) {
      const started = process.hrtime.bigint();
      let operation = request.operationName ?? 'anonymous';
      let type = 'unknown';
      return {
        async didResolveOperation({ operationName, operation: document }) {
          operation = operationName ?? operation;
          type = document?.operation ?? type;
        },
        async willSendResponse({ errors, response }) {
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          metrics.graphqlDuration.observe({ operation, type }, seconds);
          // The codes the client receives (after format-error's mapping), not those of the errors thrown.
          const sent = response.body.kind === 'single' ? response.body.singleResult.errors : undefined;
          const codes = (sent ?? errors ?? []).map((error) => String(error.extensions?.code ?? 'INTERNAL_SERVER_ERROR'));
          for (const code of codes) metrics.graphqlErrors.inc({ code });
          logger.info(
            {
              requestId: contextValue.requestId,
              operation,
              type,
              ms: Math.round(seconds * 1000),
              errors: codes.length ? codes : undefined,
              status: response.http.status ?? 200,
            },
            'graphql request',
          );
        },
      };
    },
  };
}
