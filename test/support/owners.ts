import type { UserPrincipal } from '../../server/src/auth/principal';
import { ok } from './scores';
import type { TestApp } from './test-app';

/* What the owners, routing and webhook-filter tests share: leads that qualify on demand, users, owners. */

/** Fit grade A (75 points), no engagement: the lead sits in A4, band warm, not qualified, until `qualify` (A1, hot). */
export const FIT_A = {
  industry: 'software',
  companySize: 800,
  seniority: 'c_level',
  jobTitle: 'CEO',
  department: 'executive',
  country: 'US',
};

export interface OwnerResult {
  id: string;
  kind: 'USER' | 'QUEUE';
  name: string;
  team: string | null;
  userId: string | null;
  active: boolean;
}
export const OWNER_FIELDS = 'id kind name team userId active';

export const ASSIGN = `mutation($leadId: ID!, $ownerId: ID!) { assignLead(leadId: $leadId, ownerId: $ownerId) { id owner { id name } } }`;
export const UNASSIGN = `mutation($leadId: ID!) { unassignLead(leadId: $leadId) { id owner { id } } }`;
export const SET_RULES = `mutation($rules: [RoutingRuleInput!]!) {
  setRoutingRules(rules: $rules) { name cells segment bands attributes { name value } owner { id name } team }
}`;

export function ownerHelpers(app: () => TestApp) {
  let users = 0;

  /** A lead with fit A and no activity (A4, not qualified); returns its id. */
  async function createLead(externalId: string, extra: Record<string, unknown> = {}): Promise<string> {
    const data = ok(
      await app().gql<{ upsertLead: { id: string; score: { qualified: boolean } } }>(
        `mutation($input: UpsertLeadInput!) { upsertLead(input: $input) { id score { qualified } } }`,
        { input: { externalId, attributes: FIT_A, ...extra } },
      ),
    );
    if (data.upsertLead.score.qualified) throw new Error('the lead qualified on creation');
    return data.upsertLead.id;
  }

  /** Records the activities that take a fit-A lead to A1 (send to sales) and qualified, in one request. */
  async function qualify(externalId: string, tag = 'q'): Promise<{ qualified: boolean; cell: string; band: string }> {
    const now = Date.now();
    const types = ['DEMO_REQUEST', 'PRICING_PAGE_VIEW', 'PRICING_PAGE_VIEW', 'WEBINAR_ATTENDANCE', 'EMAIL_CLICK'];
    const data = ok(
      await app().gql<{ recordActivities: { leads: Array<{ score: { qualified: boolean; cell: string; band: string } }> } }>(
        `mutation($input: [RecordActivityInput!]!) { recordActivities(input: $input) { leads { score { qualified cell band } } } }`,
        {
          input: types.map((type, n) => ({
            leadExternalId: externalId,
            type,
            occurredAt: new Date(now - (n + 1) * 60_000).toISOString(),
            idempotencyKey: `${externalId}-${tag}-${n}`,
          })),
        },
      ),
    );
    return data.recordActivities.leads[0].score;
  }

  /** A real user of the app's database with this role. */
  async function user(role: 'sales' | 'admin' | 'marketing' | 'viewer', name = `${role} ${++users}`): Promise<UserPrincipal> {
    const email = `${name.toLowerCase().replace(/[^a-z0-9]+/g, '.')}@owners.test`;
    const created = await app().app.services.auth.createUser({ email, name, role, password: `pw-${email}-long-enough` });
    return { kind: 'user', userId: created.id, email: created.email, name: created.name, role };
  }

  async function defineOwner(input: Record<string, unknown>): Promise<OwnerResult> {
    return ok(
      await app().gql<{ defineOwner: OwnerResult }>(
        `mutation($input: DefineOwnerInput!) { defineOwner(input: $input) { ${OWNER_FIELDS} } }`,
        {
          input,
        },
      ),
    ).defineOwner;
  }

  /** A sales user and its USER owner in `team`. */
  async function salesOwner(team: string | null, name?: string): Promise<{ principal: UserPrincipal; owner: OwnerResult }> {
    const principal = await user('sales', name);
    return { principal, owner: await defineOwner({ kind: 'USER', userId: principal.userId, team }) };
  }

  async function ownerOf(externalId: string): Promise<string | null> {
    const [row] = await app().sql<{ owner: string | null }>('SELECT owner_id::text AS owner FROM lead WHERE external_id = $1', [
      externalId,
    ]);
    return row.owner;
  }

  return { createLead, qualify, user, defineOwner, salesOwner, ownerOf };
}
