import { Arg, Authorized, Int, Query, Resolver } from 'type-graphql';
import { pageInfo } from '../graphql/common.types';
import { AUDIT_ROLES } from './audit-roles';
import type { AuditService } from './audit.service';
import { AuditConnection, AuditFilter } from './audit.types';

@Resolver()
export class AuditResolver {
  constructor(private readonly audit: AuditService) {}

  @Authorized(...AUDIT_ROLES.read)
  @Query(() => AuditConnection, { description: 'The audit log, newest first.' })
  async auditLog(
    @Arg('filter', () => AuditFilter, { nullable: true }) filter: AuditFilter | null,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
  ): Promise<AuditConnection> {
    const page = await this.audit.list(filter, first, after);
    return {
      edges: page.nodes.map((node, index) => ({ cursor: page.cursors[index], node })),
      pageInfo: pageInfo(page.cursors, page.hasNextPage),
    };
  }
}
