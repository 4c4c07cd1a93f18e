import { createHash } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { AuditService } from '../audit/audit.service';
import type { Actor } from '../auth/actor';
import { InvalidInputError } from '../common/errors';
import type { LeadService } from '../leads/lead.service';
import type { RuleSetService } from '../rulesets/ruleset.service';
import type { ScoreChangeListener, ScoreTransition } from '../scoring/score-events';
import type { LeadAssignment } from './assignment-events';
import { OWNER_COLUMNS, type OwnerRow, type OwnerService } from './owner.service';
import { OwnerErrorCode } from './owners.errors';
import { firstMatch, normalizeRule, type RoutedLead, type RoutingRuleData, routingRuleProblems } from './routing-rules';

/** The cell action that means "send to sales now" (rule sets' `cells`); entering such a cell routes the lead. */
export const SEND_TO_SALES_ACTION = 'send_to_sales';

/** Recorded as the actor of routing's assignments. */
export const ROUTING_ACTOR = 'routing';

const RULE_COLUMNS = `name, cells, segment, bands, attribute_equals AS attributes, owner_id::text AS "ownerId", team`;

/** The sequence that hands out a team's turns (named by a hash: team names are free text). */
export function teamTurnSequence(team: string): string {
  return `routing_turn_${createHash('md5').update(team).digest('hex').slice(0, 24)}`;
}

/** Whether a score change should route the lead: it became qualified, or it entered a send-to-sales cell. */
export function routesLead(transition: ScoreTransition): boolean {
  const { before, after } = transition;
  return (after.qualified && !before?.qualified) || (after.action === SEND_TO_SALES_ACTION && before?.action !== SEND_TO_SALES_ACTION);
}

/**
 * Routing: ordered rules give a lead without owner an owner when it qualifies or enters a
 * send-to-sales cell. It listens to score changes (wired in app.ts), so it runs in the scoring
 * transaction, which holds the leads' row locks: the conditional UPDATE (owner_id IS NULL) cannot
 * race a manual assignment, and the assignment commits with the score that caused it.
 *
 * A team target takes turns among the team's active owners (ordered by id) from a sequence per team
 * (teamTurnSequence), created when a rule first names the team. nextval never waits and is never
 * rolled back: concurrent scoring transactions each get their own turns without queueing on a
 * counter row that would stay locked until commit (an import batch holding it while locking more
 * leads would deadlock with an activity routed to the same team). N leads spread N/k each; a
 * rolled-back transaction only skips its turns.
 */
export class RoutingService implements ScoreChangeListener {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly owners: OwnerService,
    private readonly ruleSets: RuleSetService,
    private readonly leads: LeadService,
  ) {}

  async listRules(manager: EntityManager = this.dataSource.manager): Promise<RoutingRuleData[]> {
    return manager.query(`SELECT ${RULE_COLUMNS} FROM routing_rule ORDER BY position`);
  }

  /** Replaces the rule list as a whole, validated first (each problem named by its path); audited with before and after. */
  async setRules(actor: Actor, input: RoutingRuleData[]): Promise<RoutingRuleData[]> {
    const rules = input.map((rule) => ({ ...rule, name: rule.name ?? '' }));
    const bands = new Set<string>();
    for (const ruleSet of await this.ruleSets.activeRuleSets(this.dataSource.manager))
      for (const band of ruleSet.definition.bands) bands.add(band.name);
    const attributes = await this.leads.attributeCatalog();
    return this.dataSource.transaction(async (manager) => {
      // One writer at a time; routing (plain reads) goes on meanwhile with the list before or after.
      await manager.query('LOCK TABLE routing_rule IN SHARE ROW EXCLUSIVE MODE');
      const active: Array<{ id: string; team: string | null }> = await manager.query(
        'SELECT id::text AS id, team FROM lead_owner WHERE active',
      );
      const problems = routingRuleProblems(rules, {
        bands,
        attributes,
        activeOwners: new Set(active.map((owner) => owner.id)),
        activeTeams: new Set(active.flatMap((owner) => (owner.team ? [owner.team] : []))),
      });
      if (problems.length) throw InvalidInputError.of(OwnerErrorCode.InvalidRoutingRules, problems);
      const before = await this.listRules(manager);
      const after = rules.map(normalizeRule);
      for (const team of new Set(after.flatMap((rule) => rule.team ?? []))) {
        await manager.query(`CREATE SEQUENCE IF NOT EXISTS ${teamTurnSequence(team)} MINVALUE 0 START 0`);
      }
      await manager.query('DELETE FROM routing_rule');
      if (after.length)
        await manager.query(
          `INSERT INTO routing_rule (position, name, cells, segment, bands, attribute_equals, owner_id, team, updated_by)
           SELECT r.position, r.name, r.cells, r.segment, r.bands, r.attributes, r."ownerId", r.team, $2
             FROM jsonb_to_recordset($1::jsonb)
                  AS r(position int, name text, cells text[], segment text, bands text[], attributes jsonb, "ownerId" uuid, team text)`,
          [JSON.stringify(after.map((rule, position) => ({ position, ...rule }))), actor.name],
        );
      await this.audit.record(manager, {
        actor: actor.name,
        action: 'routing.rules_set',
        entityType: 'routing_rules',
        entityId: 'routing',
        summary: `Routing rules set: ${after.length ? after.map((rule) => rule.name).join(', ') : 'none'}`,
        before,
        after,
        requestId: actor.requestId,
      });
      return this.listRules(manager);
    });
  }

  /** Score changes, inside the scoring transaction (leads locked): route those that call for it. */
  async recordTransitions(manager: EntityManager, transitions: ScoreTransition[], at: Date): Promise<number> {
    const candidates = new Map(transitions.filter(routesLead).map((transition) => [transition.leadId, transition.after]));
    if (candidates.size === 0) return 0;
    const rules = await this.listRules(manager);
    if (rules.length === 0) return 0;
    const leads: Array<{ id: string; segment: string | null; attributes: Record<string, unknown> }> = await manager.query(
      'SELECT id::text AS id, segment, attributes FROM lead WHERE id = ANY($1::bigint[]) AND owner_id IS NULL ORDER BY lead.id',
      [[...candidates.keys()]],
    );
    if (leads.length === 0) return 0;
    const targets: OwnerRow[] = await manager.query(
      `SELECT ${OWNER_COLUMNS} FROM lead_owner o WHERE o.active AND (o.id = ANY($1::uuid[]) OR o.team = ANY($2::text[])) ORDER BY o.id`,
      [rules.flatMap((rule) => rule.ownerId ?? []), rules.flatMap((rule) => rule.team ?? [])],
    );
    const ownerById = new Map(targets.map((owner) => [owner.id, owner]));
    const teamMembers = new Map<string, OwnerRow[]>();
    for (const owner of targets) if (owner.team) teamMembers.set(owner.team, [...(teamMembers.get(owner.team) ?? []), owner]);
    const canTake = (rule: RoutingRuleData) => (rule.ownerId ? ownerById.has(rule.ownerId) : teamMembers.has(rule.team ?? ''));

    const matched: Array<{ leadId: string; rule: RoutingRuleData; owner?: OwnerRow }> = [];
    const byTeam = new Map<string, typeof matched>();
    for (const lead of leads) {
      const score = candidates.get(lead.id);
      if (!score) continue;
      const routed: RoutedLead = {
        leadId: lead.id,
        cell: score.cell,
        band: score.band,
        segment: lead.segment,
        attributes: lead.attributes,
      };
      const rule = firstMatch(rules, routed, canTake);
      if (!rule) continue;
      const entry = { leadId: lead.id, rule, owner: rule.ownerId ? ownerById.get(rule.ownerId) : undefined };
      matched.push(entry);
      if (rule.team) byTeam.set(rule.team, [...(byTeam.get(rule.team) ?? []), entry]);
    }
    for (const [team, entries] of byTeam) {
      const members = teamMembers.get(team) ?? [];
      const turns: Array<{ turn: string }> = await manager.query(
        // A team named by rules set before its sequence existed gets no turns rather than failing the score change.
        `SELECT nextval(to_regclass($1))::text AS turn FROM generate_series(1, $2) WHERE to_regclass($1) IS NOT NULL`,
        [teamTurnSequence(team), entries.length],
      );
      turns.forEach(({ turn }, index) => {
        entries[index].owner = members[Number(BigInt(turn) % BigInt(members.length))];
      });
    }
    const assigned = matched.filter((entry): entry is Required<typeof entry> => entry.owner !== undefined);
    if (assigned.length === 0) return 0;
    const updated: Array<{ id: string }> = await manager.query(
      `WITH a AS (UPDATE lead l SET owner_id = v.owner FROM unnest($1::bigint[], $2::uuid[]) AS v(id, owner)
                   WHERE l.id = v.id AND l.owner_id IS NULL RETURNING l.id::text AS id)
       SELECT id FROM a`,
      [assigned.map((entry) => entry.leadId), assigned.map((entry) => entry.owner.id)],
    );
    const done = new Set(updated.map((row) => row.id));
    const assignments: LeadAssignment[] = assigned
      .filter((entry) => done.has(entry.leadId))
      .map(({ leadId, rule, owner }) => ({
        leadId,
        owner: { id: owner.id, kind: owner.kind, name: owner.name, team: owner.team, userId: owner.userId },
        previousOwnerId: null,
        via: 'routing',
        rule: rule.name,
        by: ROUTING_ACTOR,
      }));
    if (assignments.length) await this.owners.assigned(manager, assignments, at);
    return assignments.length;
  }
}
