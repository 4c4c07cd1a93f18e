import { HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import {
  GraphQLError,
  getNamedType,
  isLeafType,
  isListType,
  getNullableType,
  visit,
  type ASTNode,
  type DocumentNode,
  type GraphQLSchema,
} from 'graphql';
import { getComplexity, simpleEstimator, type ComplexityEstimator } from 'graphql-query-complexity';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { PAGE_LIMITS } from '../common/pagination';
import type { GraphQLContext } from './context';

export const GRAPHQL_LIMITS = {
  maxDepth: 12,
  maxAliases: 20,
  maxTokens: 4000,
  maxDirectives: 20,
  /** Cost of an operation, counting list sizes: `leads(first: 100) { activities(first: 50) { ... } }` costs ~100 x 50 x (an activity's cost). */
  maxComplexity: 25_000,
  /** Assumed size of a list without `first` (reasons, versions...). */
  assumedListSize: 10,
} as const;

/**
 * Depth, aliases and directives (graphql-armor), and no field suggestions in production. Tokens are
 * limited by the parser itself (`parseOptions` below): armor's Apollo token plugin parses again in a
 * plugin hook, which turns every syntax error (and its own refusal) into an HTTP 500.
 */
export function armorProtections(production: boolean) {
  return new ApolloArmor({
    maxDepth: { n: GRAPHQL_LIMITS.maxDepth },
    maxAliases: { n: GRAPHQL_LIMITS.maxAliases },
    maxTokens: { enabled: false },
    maxDirectives: { n: GRAPHQL_LIMITS.maxDirectives },
    costLimit: { enabled: false }, // replaced by the list-size-aware complexity below
    blockFieldSuggestion: { enabled: production },
  }).protect();
}

/** Apollo's parse options: a document over the token limit fails to parse (400 GRAPHQL_PARSE_FAILED). */
export const parseOptions = { maxTokens: GRAPHQL_LIMITS.maxTokens } as const;

/**
 * What a field costs, in rows and objects the server produces (graphql-query-complexity estimator):
 * - a scalar or enum value: SCALAR_COST (it is copied from a row already read);
 * - an object: 1 plus its fields;
 * - a page (a field with `first` or `last`): its size, the argument or the default page it then
 *   returns, times an item's cost, at least 1 per item (its rows are read whatever is selected);
 *   its `edges`/`nodes` are counted by that size, not again;
 * - any other list (reasons, a batch's item errors: values already in memory): an assumed size
 *   (GRAPHQL_LIMITS.assumedListSize) times an item's fields;
 * - a batch mutation's payload (an `input` holding one list): its lists count the input's items.
 * So a page of 1,000 leads with their scores and reasons costs about 12,000 and passes, while the
 * same page with a nested page in each lead (1,000 x 20 activities) is refused.
 */
export const SCALAR_COST = 0.1;

/** How a field costs (see above); subscriptions over the live socket are costed with the same one. */
export const listSizeEstimator: ComplexityEstimator = ({ args, childComplexity, field }) => {
  const perItem = Math.max(1, childComplexity);
  for (const name of ['first', 'last']) {
    if (typeof args[name] === 'number') return 1 + Math.max(1, args[name] as number) * perItem;
  }
  // A batch mutation (recordActivities, upsertLeads, setLeadOutcomes) answers one item per input
  // item: its payload's lists hold that many, not the assumed size.
  const batch = batchSize(args.input);
  if (batch !== null) return 1 + Math.max(1, batch / GRAPHQL_LIMITS.assumedListSize) * childComplexity;
  const first = field.args.find((arg) => arg.name === 'first');
  if (first) {
    const size = typeof first.defaultValue === 'number' ? first.defaultValue : PAGE_LIMITS.defaultFirst;
    return 1 + Math.max(1, size) * perItem;
  }
  // A connection's edges are already counted by its `first`.
  if (field.name === 'edges' || field.name === 'nodes') return 1 + childComplexity;
  const type = getNullableType(field.type);
  if (isListType(type))
    return isLeafType(getNamedType(type))
      ? GRAPHQL_LIMITS.assumedListSize * SCALAR_COST
      : 1 + GRAPHQL_LIMITS.assumedListSize * childComplexity;
  if (isLeafType(type)) return SCALAR_COST;
  return 1 + childComplexity;
};

/** The items of a batch input: the input itself when it is a list, else its one list field (`input.leads`); null otherwise. */
function batchSize(input: unknown): number | null {
  if (Array.isArray(input)) return input.length;
  if (input === null || typeof input !== 'object') return null;
  const lists = Object.values(input).filter((value) => Array.isArray(value));
  return lists.length === 1 ? (lists[0] as unknown[]).length : null;
}

/** What of a cost variable's value the cost depends on: itself, or for an `input` only its batch size. */
function costKey(name: string, inputs: ReadonlySet<string>, value: unknown): unknown {
  return inputs.has(name) ? batchSize(value) : (value ?? null);
}

/** The variables an operation's cost can depend on: those in a `first` or `last` argument, in an `input` (by its batch size) or in a directive (`@include(if: $x)`). */
function costVariables(document: DocumentNode): { names: string[]; inputs: Set<string> } {
  const names = new Set<string>();
  const inputs = new Set<string>();
  const collect = (node: ASTNode) =>
    visit(node, {
      Variable(variable) {
        names.add(variable.name.value);
      },
    });
  visit(document, {
    Argument(argument) {
      if (argument.name.value === 'first' || argument.name.value === 'last') collect(argument.value);
      if (argument.name.value === 'input')
        visit(argument.value, {
          Variable(variable) {
            names.add(variable.name.value);
            inputs.add(variable.name.value);
          },
        });
    },
    Directive(directive) {
      collect(directive);
      return false;
    },
    VariableDefinition() {
      return false; // defaults are read through the variable's uses
    },
  });
  return { names: [...names].sort(), inputs };
}

interface CostCache {
  variables: { names: string[]; inputs: Set<string> };
  costs: Map<string, number>;
}

const COST_CACHE_ENTRIES = 64;

/**
 * The cost of a document is computed once per operation and set of cost-bearing variable values,
 * not on every request: Apollo hands the same parsed document to every request with the same
 * query text, and a client app sends the same few queries with different ids (walking the
 * document was ~5 % of the server's CPU on the lead-score query).
 */
export function complexityPlugin(schema: GraphQLSchema): ApolloServerPlugin<GraphQLContext> {
  const caches = new WeakMap<DocumentNode, CostCache>();
  const costOf = (document: DocumentNode, operationName: string | undefined, variables: Record<string, unknown>): number => {
    let cache = caches.get(document);
    if (!cache) {
      cache = { variables: costVariables(document), costs: new Map() };
      caches.set(document, cache);
    }
    const { names, inputs } = cache.variables;
    const key = JSON.stringify([operationName ?? null, ...names.map((name) => costKey(name, inputs, variables[name]))]);
    let cost = cache.costs.get(key);
    if (cost === undefined) {
      // Scalars cost a fraction: round up so the figure shown is a whole number.
      cost = Math.ceil(
        getComplexity({
          schema,
          query: document,
          operationName,
          variables,
          estimators: [listSizeEstimator, simpleEstimator({ defaultComplexity: 1 })],
        }),
      );
      if (cache.costs.size >= COST_CACHE_ENTRIES) cache.costs.clear();
      cache.costs.set(key, cost);
    }
    return cost;
  };
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, operationName }) {
          let complexity: number;
          try {
            complexity = costOf(document, operationName ?? undefined, request.variables ?? {});
          } catch {
            return; // variables that do not coerce: execution reports them, naming the field
          }
          if (complexity > GRAPHQL_LIMITS.maxComplexity) {
            throw new GraphQLError(
              `Query is too complex: cost ${complexity}, at most ${GRAPHQL_LIMITS.maxComplexity} (lists count by their size: ask for fewer items with "first" or fewer nested lists)`,
              { extensions: { code: 'QUERY_TOO_COMPLEX', http: { status: 400 } } },
            );
          }
        },
      };
    },
  };
}

/**
 * Requests per caller (API key, user, or address when anonymous) in a rolling window, per process.
 * Several API processes each allow the budget; put a shared limiter at the load balancer to cap globally.
 */
export function rateLimitPlugin(options: { points: number; durationSeconds: number }): ApolloServerPlugin<GraphQLContext> {
  const limiter = new RateLimiterMemory({ points: options.points, duration: options.durationSeconds });
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ contextValue }) {
          const principal = contextValue.principal;
          const key = principal
            ? principal.kind === 'apiKey'
              ? `key:${principal.keyId}`
              : `user:${principal.userId}`
            : `anon:${contextValue.clientAddress ?? 'unknown'}`;
          try {
            await limiter.consume(key);
          } catch (error) {
            if (!(error instanceof RateLimiterRes)) throw error;
            const retryAfter = Math.max(1, Math.ceil(error.msBeforeNext / 1000));
            throw new GraphQLError(
              `Rate limit exceeded: at most ${options.points} requests per ${options.durationSeconds} s; retry in ${retryAfter} s`,
              {
                extensions: { code: 'RATE_LIMITED', http: { status: 429, headers: new HeaderMap([['retry-after', String(retryAfter)]]) } },
              },
            );
          }
        },
      };
    },
  };
}
