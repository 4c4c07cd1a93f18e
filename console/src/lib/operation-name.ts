/** The kind and name of a GraphQL document's first operation ("query Leads(...)" → query, Leads). */
export function operationOf(document: string): { kind: 'query' | 'mutation' | 'subscription'; name: string } {
  const match = /\b(query|mutation|subscription)\s+(\w+)/.exec(document);
  if (!match) return { kind: 'query', name: 'anonymous' };
  return { kind: match[1] as 'query' | 'mutation' | 'subscription', name: match[2] };
}
