/** A small GraphQL client for test setup: the console's users set up data through the public API too. */
export class ApiClient {
  private constructor(
    private readonly url: string,
    private readonly token: string,
  ) {}

  static async signIn(url: string, email: string, password = 'demo-password'): Promise<ApiClient> {
    const anonymous = new ApiClient(url, '');
    const data = await anonymous.query<{ signIn: { token: string } }>(
      'mutation($email: String!, $password: String!) { signIn(email: $email, password: $password) { token } }',
      { email, password },
    );
    return new ApiClient(url, data.signIn.token);
  }

  async query<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const response = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(this.token ? { authorization: `Bearer ${this.token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: T; errors?: unknown[] };
    if (body.errors?.length || !body.data) throw new Error(`GraphQL error: ${JSON.stringify(body.errors)}`);
    return body.data;
  }
}

export interface DemoLead {
  id: string;
  externalId: string;
  email: string | null;
  createdAt: string;
  score: { total: number; fit: number; reasons: Array<{ rule: string }> };
}

export async function allLeads(client: ApiClient): Promise<DemoLead[]> {
  const leads: DemoLead[] = [];
  let after: string | null = null;
  do {
    const page: { leads: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: Array<{ node: DemoLead }> } } =
      await client.query(
        'query($after: String) { leads(first: 200, after: $after) { pageInfo { hasNextPage endCursor } edges { node { id externalId email createdAt score { total fit reasons { rule } } } } } }',
        { after },
      );
    leads.push(...page.leads.edges.map((edge) => edge.node));
    after = page.leads.pageInfo.hasNextPage ? page.leads.pageInfo.endCursor : null;
  } while (after);
  return leads;
}

/**
 * Gives these leads outcomes of our own (independent of the demo's), converted more often the higher their
 * score, so that backtests have something to measure. Deterministic.
 */
export async function recordOutcomes(admin: ApiClient, leads: DemoLead[]): Promise<{ converted: number; lost: number }> {
  let seed = 7;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  let converted = 0;
  let lost = 0;
  for (const lead of leads) {
    const chance = 1 / (1 + Math.exp(-(lead.score.total - 110) / 20));
    const draw = random();
    const at = new Date(Math.min(Date.now() - 60_000, Date.parse(lead.createdAt) + 20 * 86_400_000)).toISOString();
    const outcome = draw < chance ? 'CONVERTED' : draw > 0.75 ? 'LOST' : null;
    if (!outcome) continue;
    await admin.query('mutation($input: SetLeadOutcomeInput!) { setLeadOutcome(input: $input) { id } }', {
      input: { externalId: lead.externalId, outcome, at, ...(outcome === 'CONVERTED' ? { dealValue: 10_000 } : {}) },
    });
    if (outcome === 'CONVERTED') converted++;
    else lost++;
  }
  return { converted, lost };
}
