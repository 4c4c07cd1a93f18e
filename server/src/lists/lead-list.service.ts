import type { DataSource, EntityManager } from 'typeorm';
import { type AuditService, shallowDiff } from '../audit/audit.service';
import { AuthErrorCode } from '../auth/auth.errors';
import type { Principal, Role } from '../auth/principal';
import { describePrincipal } from '../auth/principal';
import {
  ConflictError,
  DomainError,
  ForbiddenError,
  InvalidInputError,
  NotFoundError,
  type Problem,
  UnauthenticatedError,
} from '../common/errors';
import { type LeadFilterData, withViewer } from '../leads/lead-filter';
import { LEAD_ORDERS, type LeadOrder, type LeadService } from '../leads/lead.service';
import { LeadListEntity } from './lead-list.entity';
import { LeadListErrorCode } from './lead-list.errors';

/** Sizes of saved lists; each request's work is bounded by them (leadLists returns at most `lists`). */
export const LIST_LIMITS = {
  nameLength: 100,
  teamLength: 64,
  descriptionLength: 500,
  /** Lists one team may hold. */
  listsPerTeam: 100,
  /** Lists in all, every team together. */
  lists: 1_000,
} as const;

/** The team of a list saved by a user who is no owner with a team (see owners). */
export const DEFAULT_TEAM = 'everyone';

const TEAM = /^[\p{L}\p{N}][\p{L}\p{N} _.-]*$/u;
/** Control characters (line breaks, tabs...) have no place in a name shown in a picker. */
const CONTROL = /\p{Cc}/u;

const notFound = (id: string) =>
  new NotFoundError(LeadListErrorCode.ListNotFound, `No saved list with id "${id}"`, [{ path: 'id', message: 'no such list' }]);

/** The list, read (and row-locked when `lock`) in the caller's transaction; NOT_FOUND otherwise. */
async function findList(manager: EntityManager, id: string, lock = false): Promise<LeadListEntity> {
  const found = /^\d{1,18}$/.test(id)
    ? await manager.findOne(LeadListEntity, { where: { id }, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) })
    : null;
  if (!found) throw notFound(id);
  return found;
}

/** Who changes a list: a signed-in user (an API key has no person to own a list). */
export interface ListActor {
  name: string;
  userId: string;
  role: Role;
  requestId?: string;
}

export function listActorOf(principal: Principal | null, requestId?: string): ListActor {
  if (!principal) throw new UnauthenticatedError(AuthErrorCode.NotAuthenticated, 'Sign in or send an API key');
  if (principal.kind !== 'user')
    throw new ForbiddenError(AuthErrorCode.ForbiddenRole, `Saved lists belong to people: ${describePrincipal(principal)} is an API key`);
  return { name: describePrincipal(principal), userId: principal.userId, role: principal.role, requestId };
}

/** Whether a principal may change or delete a list: its creator, or an admin. */
export function mayEdit(principal: Principal | null, list: LeadListEntity): boolean {
  if (principal?.kind !== 'user') return false;
  return principal.role === 'admin' || (list.createdBy !== null && list.createdBy === principal.userId);
}

export interface LeadListInput {
  name?: string | null;
  team?: string | null;
  description?: string | null;
  filter?: LeadFilterData | null;
  orderBy?: LeadOrder | null;
}

/** A filter as stored: plain JSON, fields left empty dropped. */
function storedFilter(filter: LeadFilterData | null | undefined): LeadFilterData {
  // `mine` is kept as asked and means whoever looks at the list; the viewer is never stored.
  const { viewerUserId: _viewer, ...plain } = JSON.parse(JSON.stringify(filter ?? {})) as LeadFilterData;
  return Object.fromEntries(Object.entries(plain).filter(([, value]) => value !== null && value !== undefined)) as LeadFilterData;
}

const auditView = (list: LeadListEntity) => ({
  team: list.team,
  name: list.name,
  description: list.description,
  filter: list.filter,
  orderBy: list.orderBy,
});

/** Saved lead lists: CRUD with the filter checked as `leads` checks it, limits, permissions, audit. */
export class LeadListService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly leads: LeadService,
    private readonly audit: AuditService,
  ) {}

  /** Every list (of one team when given), by team then name; at most LIST_LIMITS.lists. */
  async list(team?: string | null): Promise<LeadListEntity[]> {
    const query = this.dataSource.manager
      .createQueryBuilder(LeadListEntity, 'l')
      .orderBy('l.team', 'ASC')
      .addOrderBy('lower(l.name)', 'ASC')
      .addOrderBy('l.id', 'ASC')
      .limit(LIST_LIMITS.lists);
    if (team != null) query.where('l.team = :team', { team: team.trim() });
    return query.getMany();
  }

  get(id: string): Promise<LeadListEntity> {
    return findList(this.dataSource.manager, id);
  }

  async create(actor: ListActor, input: LeadListInput): Promise<LeadListEntity> {
    const problems = this.fieldProblems(input, true);
    if (problems.length) throw InvalidInputError.of(LeadListErrorCode.InvalidList, problems);
    const filter = storedFilter(input.filter);
    const orderBy = input.orderBy ?? 'SCORE_DESC';
    await this.checkFilter(filter, orderBy, actor);
    const team = input.team?.trim() || (await this.defaultTeam(actor.userId));
    return this.dataSource.transaction(async (manager) => {
      await lockLists(manager);
      await this.checkRoom(manager, team, input.name!.trim(), null);
      const saved = await manager.save(
        manager.create(LeadListEntity, {
          team,
          name: input.name!.trim(),
          description: input.description?.trim() || null,
          filter,
          orderBy,
          createdBy: actor.userId,
          createdByName: actor.name,
        }),
      );
      await this.audit.record(manager, {
        actor: actor.name,
        action: 'lead_list.created',
        entityType: 'lead_list',
        entityId: saved.id,
        summary: `Saved list "${saved.name}" for team ${saved.team}`,
        after: auditView(saved),
        requestId: actor.requestId,
      });
      return saved;
    });
  }

  async update(actor: ListActor, id: string, input: LeadListInput): Promise<LeadListEntity> {
    const problems = this.fieldProblems(input, false);
    if (problems.length) throw InvalidInputError.of(LeadListErrorCode.InvalidList, problems);
    const filter = input.filter === undefined ? undefined : storedFilter(input.filter);
    // Checked before the transaction: the check reads leads on a connection of its own (PGlite has one).
    const current = await this.get(id);
    this.assertMayEdit(actor, current, 'updateLeadList');
    if (filter !== undefined || input.orderBy)
      await this.checkFilter(filter ?? current.filter, input.orderBy ?? (current.orderBy as LeadOrder), actor);
    return this.dataSource.transaction(async (manager) => {
      await lockLists(manager);
      const list = await findList(manager, id);
      this.assertMayEdit(actor, list, 'updateLeadList');
      const before = auditView(list);
      const orderBy = input.orderBy ?? (list.orderBy as LeadOrder);
      const name = input.name?.trim() || list.name;
      const team = input.team?.trim() || list.team;
      if (name.toLowerCase() !== list.name.toLowerCase() || team !== list.team) await this.checkRoom(manager, team, name, list.id);
      Object.assign(list, {
        name,
        team,
        orderBy,
        description: input.description === undefined ? list.description : input.description?.trim() || null,
        filter: filter ?? list.filter,
      });
      const saved = await manager.save(list);
      await this.audit.record(manager, {
        actor: actor.name,
        action: 'lead_list.updated',
        entityType: 'lead_list',
        entityId: saved.id,
        summary: `Changed saved list "${saved.name}" of team ${saved.team}`,
        before,
        after: auditView(saved),
        diff: shallowDiff(before, auditView(saved)),
        requestId: actor.requestId,
      });
      return saved;
    });
  }

  async delete(actor: ListActor, id: string): Promise<string> {
    return this.dataSource.transaction(async (manager) => {
      const list = await findList(manager, id, true);
      this.assertMayEdit(actor, list, 'deleteLeadList');
      await manager.delete(LeadListEntity, { id: list.id });
      await this.audit.record(manager, {
        actor: actor.name,
        action: 'lead_list.deleted',
        entityType: 'lead_list',
        entityId: list.id,
        summary: `Deleted saved list "${list.name}" of team ${list.team}`,
        before: auditView(list),
        requestId: actor.requestId,
      });
      return list.id;
    });
  }

  /** The team a user's new list goes to: their owner team (owners), else DEFAULT_TEAM. */
  private async defaultTeam(userId: string): Promise<string> {
    const rows: Array<{ team: string }> = await this.dataSource.query(
      'SELECT team FROM lead_owner WHERE user_id = $1::bigint AND team IS NOT NULL AND active ORDER BY created_at LIMIT 1',
      [userId],
    );
    return rows[0]?.team ?? DEFAULT_TEAM;
  }

  private assertMayEdit(actor: ListActor, list: LeadListEntity, operation: string): void {
    if (actor.role === 'admin' || list.createdBy === actor.userId) return;
    throw new ForbiddenError(
      LeadListErrorCode.NotListOwner,
      `${operation}: only the list's creator (${list.createdByName}) or an admin may change "${list.name}"; ${actor.name} may not`,
    );
  }

  private fieldProblems(input: LeadListInput, creating: boolean): Problem[] {
    const problems: Problem[] = [];
    const limits = LIST_LIMITS;
    const name = input.name?.trim() ?? '';
    if ((creating || input.name != null) && (name.length < 1 || name.length > limits.nameLength || CONTROL.test(name)))
      problems.push({ path: 'input.name', message: `must be 1 to ${limits.nameLength} characters, without line breaks or tabs` });
    if (input.team != null) {
      const team = input.team.trim();
      if (team.length < 1 || team.length > limits.teamLength || !TEAM.test(team))
        problems.push({
          path: 'input.team',
          message: `must be 1 to ${limits.teamLength} letters, digits, spaces, ".", "_" or "-", starting with a letter or digit`,
        });
    }
    if (input.description != null && input.description.length > limits.descriptionLength)
      problems.push({ path: 'input.description', message: `at most ${limits.descriptionLength} characters` });
    if (input.orderBy != null && !LEAD_ORDERS.includes(input.orderBy))
      problems.push({ path: 'input.orderBy', message: `must be one of ${LEAD_ORDERS.join(', ')}` });
    return problems;
  }

  /**
   * The filter goes through the leads service as `leads` would run it (the same checks, a one-lead
   * page); its problems come back located in the input (`input.filter.attributes[0].name`).
   */
  private async checkFilter(filter: LeadFilterData, orderBy: LeadOrder, actor: ListActor): Promise<void> {
    try {
      await this.leads.listLeads({ filter: withViewer(filter, { kind: 'user', userId: actor.userId }), orderBy, first: 1 });
    } catch (error) {
      if (!(error instanceof DomainError) || error.kind !== 'BAD_USER_INPUT') throw error;
      const problems = error.problems.length ? error.problems : [{ path: 'filter', message: error.message }];
      throw InvalidInputError.of(
        LeadListErrorCode.InvalidList,
        problems.map((problem) => ({ ...problem, path: `input.${problem.path.startsWith('filter') ? '' : 'filter.'}${problem.path}` })),
      );
    }
  }

  /** The team has room for one more list and no other list of that name (under lockLists). */
  private async checkRoom(manager: EntityManager, team: string, name: string, exceptId: string | null): Promise<void> {
    const [counts]: Array<{ team: number; total: number; taken: number }> = await manager.query(
      `SELECT count(*) FILTER (WHERE team = $1)::int AS team, count(*)::int AS total,
              count(*) FILTER (WHERE team = $1 AND lower(name) = lower($2))::int AS taken
         FROM lead_list WHERE id IS DISTINCT FROM $3::bigint`,
      [team, name, exceptId],
    );
    if (counts.taken > 0)
      throw new ConflictError(LeadListErrorCode.NameTaken, `Team ${team} already has a list named "${name}"`, [
        { path: 'input.name', message: 'already used by another list of this team' },
      ]);
    if (counts.team >= LIST_LIMITS.listsPerTeam)
      throw new ConflictError(LeadListErrorCode.TooManyLists, `Team ${team} already has ${counts.team} lists, the most a team may have`, [
        { path: 'input.team', message: `at most ${LIST_LIMITS.listsPerTeam} lists per team` },
      ]);
    if (counts.total >= LIST_LIMITS.lists)
      throw new ConflictError(LeadListErrorCode.TooManyLists, `There are already ${counts.total} saved lists, the most there may be`, [
        { path: 'input', message: `at most ${LIST_LIMITS.lists} lists in all` },
      ]);
  }
}

/** List writes one at a time: the name and count checks then hold until the commit. Reads go on. */
async function lockLists(manager: EntityManager): Promise<void> {
  await manager.query('LOCK TABLE lead_list IN SHARE ROW EXCLUSIVE MODE');
}
