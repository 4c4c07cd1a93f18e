import type { DataSource, EntityManager } from 'typeorm';
import type { AuditService } from '../audit/audit.service';
import type { Actor } from '../auth/actor';
import { roleAllows } from '../auth/auth-checker';
import { describePrincipal, type Principal } from '../auth/principal';
import { ConflictError, ForbiddenError, InvalidInputError, NotFoundError, type Problem } from '../common/errors';
import { LeadErrorCode } from '../leads/lead.errors';
import type { AssignedOwner, AssignmentListener, LeadAssignment } from './assignment-events';
import { OWNER_ROLES } from './owner-roles';
import { OwnerErrorCode } from './owners.errors';
import { isOwnerId } from './routing-rules';

export interface OwnerRow extends AssignedOwner {
  active: boolean;
  createdAt: Date;
}

export const OWNER_COLUMNS = `o.id::text AS id, o.kind, o.name, o.team, o.user_id::text AS "userId", o.active, o.created_at AS "createdAt"`;

export const OWNER_LIMITS = {
  /** Characters of an owner's name and team. */
  nameLength: 100,
  /** Owners one `owners` query lists (a sales organisation, not a customer base). */
  listed: 1000,
} as const;

/** Roles a USER owner's user may have: the people who work leads. */
const OWNER_USER_ROLES = ['sales', 'admin'];

const isLeadId = (id: string) => /^\d{1,18}$/.test(id);

function textProblem(value: string | null | undefined, path: string, required: boolean): Problem[] {
  if (value == null) return required ? [{ path, message: 'is required' }] : [];
  return value.trim() && value.length <= OWNER_LIMITS.nameLength
    ? []
    : [{ path, message: `must be 1 to ${OWNER_LIMITS.nameLength} characters` }];
}

export function ownerNotFound(id: string, path: string): NotFoundError {
  return new NotFoundError(OwnerErrorCode.OwnerNotFound, `No owner with id "${id.slice(0, 40)}"`, [{ path, message: 'no such owner' }]);
}

/**
 * Lead owners (sales users and queues) and assignment by hand. Every assignment, by hand or by
 * routing (routing.service.ts), goes through `assigned`: audited and raised to the assignment
 * listeners in the assigning transaction.
 */
export class OwnerService {
  private readonly listeners: AssignmentListener[] = [];

  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  addAssignmentListener(listener: AssignmentListener): void {
    this.listeners.push(listener);
  }

  listOwners(filter: { team?: string | null; active?: boolean | null } = {}): Promise<OwnerRow[]> {
    return this.dataSource.query(
      `SELECT ${OWNER_COLUMNS} FROM lead_owner o
        WHERE ($1::text IS NULL OR o.team = $1) AND ($2::boolean IS NULL OR o.active = $2)
        ORDER BY o.name, o.id LIMIT ${OWNER_LIMITS.listed}`,
      [filter.team ?? null, filter.active ?? null],
    );
  }

  async ownersByIds(ids: readonly string[], manager: EntityManager = this.dataSource.manager): Promise<Map<string, OwnerRow>> {
    const valid = ids.filter(isOwnerId);
    if (!valid.length) return new Map();
    const rows: OwnerRow[] = await manager.query(`SELECT ${OWNER_COLUMNS} FROM lead_owner o WHERE o.id = ANY($1::uuid[])`, [valid]);
    return new Map(rows.map((row) => [row.id, row]));
  }

  /** Each lead's owner (leads without one are absent): one query for a page of leads. */
  async ownersOfLeads(leadIds: readonly string[]): Promise<Map<string, OwnerRow>> {
    const rows: Array<OwnerRow & { leadId: string }> = await this.dataSource.query(
      `SELECT l.id::text AS "leadId", ${OWNER_COLUMNS} FROM lead l JOIN lead_owner o ON o.id = l.owner_id WHERE l.id = ANY($1::bigint[])`,
      [leadIds.filter(isLeadId)],
    );
    return new Map(rows.map(({ leadId, ...owner }) => [leadId, owner]));
  }

  async defineOwner(
    actor: Actor,
    input: { kind: string; userId?: string | null; name?: string | null; team?: string | null },
  ): Promise<OwnerRow> {
    const problems: Problem[] = [...textProblem(input.team, 'input.team', input.kind === 'queue')];
    if (input.kind === 'queue') {
      problems.push(...textProblem(input.name, 'input.name', true));
      if (input.userId != null) problems.push({ path: 'input.userId', message: 'a queue is no user: leave it out' });
    } else {
      problems.push(...textProblem(input.name, 'input.name', false));
      if (input.userId == null) problems.push({ path: 'input.userId', message: 'is required for a USER owner' });
      else if (!isLeadId(input.userId)) problems.push({ path: 'input.userId', message: `no user with id "${input.userId.slice(0, 40)}"` });
    }
    if (problems.length) throw InvalidInputError.of(OwnerErrorCode.InvalidOwner, problems);
    return this.dataSource.transaction(async (manager) => {
      let name = input.name?.trim() ?? '';
      if (input.kind === 'user') {
        const [user]: Array<{ name: string; role: string; disabled: boolean; owner: string | null }> = await manager.query(
          `SELECT u.name, u.role, u.disabled_at IS NOT NULL AS disabled, (SELECT o.id::text FROM lead_owner o WHERE o.user_id = u.id) AS owner
             FROM app_user u WHERE u.id = $1::bigint`,
          [input.userId],
        );
        if (!user || user.disabled)
          throw InvalidInputError.field(OwnerErrorCode.InvalidOwner, 'input.userId', `no active user with id "${input.userId}"`);
        if (!OWNER_USER_ROLES.includes(user.role))
          throw InvalidInputError.field(
            OwnerErrorCode.InvalidOwner,
            'input.userId',
            `the user has role ${user.role}; owners are sales or admin users`,
          );
        if (user.owner)
          throw new ConflictError(OwnerErrorCode.InvalidOwner, `User ${input.userId} is already owner ${user.owner}`, [
            { path: 'input.userId', message: `already owner ${user.owner}` },
          ]);
        name ||= user.name;
      }
      const [owner]: OwnerRow[] = await manager.query(
        `WITH o AS (INSERT INTO lead_owner (kind, user_id, name, team) VALUES ($1, $2::bigint, $3, $4) RETURNING *) SELECT ${OWNER_COLUMNS} FROM o`,
        [input.kind, input.kind === 'user' ? input.userId : null, name, input.team?.trim() || null],
      );
      await this.audit.record(manager, {
        actor: actor.name,
        action: 'owner.defined',
        entityType: 'lead_owner',
        entityId: owner.id,
        summary: `Owner ${owner.name} (${owner.kind}${owner.team ? `, team ${owner.team}` : ''}) defined`,
        after: owner,
        requestId: actor.requestId,
      });
      return owner;
    });
  }

  async updateOwner(
    actor: Actor,
    id: string,
    input: { name?: string | null; team?: string | null; active?: boolean | null },
  ): Promise<OwnerRow> {
    const problems = [...textProblem(input.name, 'input.name', false), ...textProblem(input.team, 'input.team', false)];
    if (problems.length) throw InvalidInputError.of(OwnerErrorCode.InvalidOwner, problems);
    return this.dataSource.transaction(async (manager) => {
      const before = (await this.lockOwner(manager, id, 'id')) as OwnerRow;
      if (before.kind === 'queue' && input.team === null)
        throw InvalidInputError.field(OwnerErrorCode.InvalidOwner, 'input.team', 'a queue belongs to a team');
      const [after]: OwnerRow[] = await manager.query(
        `WITH o AS (UPDATE lead_owner SET name = coalesce($2, name), team = CASE WHEN $3::boolean THEN $4 ELSE team END,
                                          active = coalesce($5, active)
                     WHERE id = $1::uuid RETURNING *)
         SELECT ${OWNER_COLUMNS} FROM o`,
        [id, input.name?.trim() ?? null, input.team !== undefined, input.team?.trim() ?? null, input.active ?? null],
      );
      await this.audit.record(manager, {
        actor: actor.name,
        action: after.active === before.active ? 'owner.updated' : after.active ? 'owner.activated' : 'owner.deactivated',
        entityType: 'lead_owner',
        entityId: id,
        summary: `Owner ${after.name} updated`,
        before,
        after,
        requestId: actor.requestId,
      });
      return after;
    });
  }

  /** The owner keeps its leads; routing gives it no new ones (rules that target it are skipped). */
  deactivateOwner(actor: Actor, id: string): Promise<OwnerRow> {
    return this.updateOwner(actor, id, { active: false });
  }

  /**
   * Gives a lead an owner. Sales may take a lead without owner (or keep their own) for themselves;
   * admin may assign any lead to any active owner, taking it from its owner.
   */
  async assignLead(principal: Principal, requestId: string | undefined, leadId: string, ownerId: string): Promise<string> {
    const actor = this.assigner(principal, requestId);
    if (!isLeadId(leadId)) throw leadNotFound(leadId);
    return this.dataSource.transaction(async (manager) => {
      const owner = await this.lockOwner(manager, ownerId, 'ownerId', 'SHARE');
      if (!owner.active)
        throw new ConflictError(OwnerErrorCode.OwnerInactive, `Owner ${owner.name} is inactive`, [
          { path: 'ownerId', message: 'inactive owner' },
        ]);
      if (!actor.any && owner.userId !== actor.userId)
        throw new ForbiddenError(OwnerErrorCode.AssignmentForbidden, 'Sales users assign leads to themselves only', [
          { path: 'ownerId', message: 'not your own owner' },
        ]);
      const current = await this.lockLead(manager, leadId);
      if (current.ownerId === owner.id) return leadId;
      if (current.ownerId && !actor.any)
        throw new ConflictError(OwnerErrorCode.AlreadyOwned, `Lead ${leadId} already has an owner; an admin may reassign it`, [
          { path: 'leadId', message: 'already owned' },
        ]);
      await manager.query('UPDATE lead SET owner_id = $2::uuid WHERE id = $1::bigint', [leadId, owner.id]);
      await this.assigned(
        manager,
        [{ leadId, owner, previousOwnerId: current.ownerId, via: 'manual', rule: null, by: actor.name }],
        new Date(),
        requestId,
      );
      return leadId;
    });
  }

  /** Takes a lead's owner away (sales: only their own leads). No webhook event: nobody was assigned. */
  async unassignLead(principal: Principal, requestId: string | undefined, leadId: string): Promise<string> {
    const actor = this.assigner(principal, requestId);
    if (!isLeadId(leadId)) throw leadNotFound(leadId);
    return this.dataSource.transaction(async (manager) => {
      const current = await this.lockLead(manager, leadId);
      if (!current.ownerId) return leadId;
      const [owner] = (await this.ownersByIds([current.ownerId], manager)).values();
      if (!actor.any && owner?.userId !== actor.userId)
        throw new ForbiddenError(OwnerErrorCode.AssignmentForbidden, 'Sales users unassign their own leads only', [
          { path: 'leadId', message: 'not your lead' },
        ]);
      await manager.query('UPDATE lead SET owner_id = NULL WHERE id = $1::bigint', [leadId]);
      await this.audit.record(manager, {
        actor: actor.name,
        action: 'lead.unassigned',
        entityType: 'lead',
        entityId: leadId,
        summary: `Lead ${leadId} no longer owned by ${owner?.name ?? current.ownerId}`,
        before: { ownerId: current.ownerId },
        after: { ownerId: null },
        requestId,
      });
      return leadId;
    });
  }

  /** Audits assignments already written and raises them to the listeners, in the caller's transaction. */
  async assigned(manager: EntityManager, assignments: LeadAssignment[], at: Date, requestId?: string): Promise<void> {
    for (const assignment of assignments) {
      await this.audit.record(manager, {
        actor: assignment.by,
        action: 'lead.assigned',
        entityType: 'lead',
        entityId: assignment.leadId,
        summary: `Lead ${assignment.leadId} assigned to ${assignment.owner.name}${assignment.rule ? ` by routing rule "${assignment.rule}"` : ''}`,
        before: { ownerId: assignment.previousOwnerId },
        after: { ownerId: assignment.owner.id, via: assignment.via, rule: assignment.rule },
        requestId,
      });
    }
    for (const listener of this.listeners) await listener.recordAssignments(manager, assignments, at);
  }

  private assigner(principal: Principal, requestId: string | undefined) {
    if (principal.kind !== 'user') throw new ForbiddenError(OwnerErrorCode.AssignmentForbidden, 'Only users assign leads');
    const any = roleAllows(principal.role, OWNER_ROLES.assignAny);
    return { name: describePrincipal(principal), userId: principal.userId, any, requestId };
  }

  /** An assignment shares the owner's lock (assignments to one owner run side by side); a change takes it whole. */
  private async lockOwner(manager: EntityManager, id: string, path: string, mode: 'SHARE' | 'UPDATE' = 'UPDATE'): Promise<OwnerRow> {
    const [owner]: OwnerRow[] = isOwnerId(id)
      ? await manager.query(`SELECT ${OWNER_COLUMNS} FROM lead_owner o WHERE o.id = $1::uuid FOR ${mode}`, [id])
      : [];
    if (!owner) throw ownerNotFound(id, path);
    return owner;
  }

  private async lockLead(manager: EntityManager, leadId: string): Promise<{ ownerId: string | null }> {
    const [lead]: Array<{ ownerId: string | null }> = await manager.query(
      'SELECT owner_id::text AS "ownerId" FROM lead WHERE id = $1::bigint FOR UPDATE',
      [leadId],
    );
    if (!lead) throw leadNotFound(leadId);
    return lead;
  }
}

function leadNotFound(leadId: string): NotFoundError {
  return new NotFoundError(LeadErrorCode.LeadNotFound, `No lead with id "${leadId.slice(0, 40)}"`, [
    { path: 'leadId', message: 'no such lead' },
  ]);
}
