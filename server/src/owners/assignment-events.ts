import type { EntityManager } from 'typeorm';

/** An owner as the assignment events carry it. */
export interface AssignedOwner {
  id: string;
  kind: 'user' | 'queue';
  name: string;
  team: string | null;
  userId: string | null;
}

/** A lead got an owner: by a routing rule (`rule` names it) or by hand (`by` names who). */
export interface LeadAssignment {
  leadId: string;
  owner: AssignedOwner;
  previousOwnerId: string | null;
  via: 'routing' | 'manual';
  /** The routing rule that matched (routing only). */
  rule: string | null;
  /** Who assigned it: a person (`user:ana@x.io`) or `routing`. */
  by: string;
}

/**
 * Subscribes to assignments (OwnerService.addAssignmentListener; webhooks do, wired in app.ts, so
 * owners never import webhooks). Called inside the assigning transaction: what a listener writes
 * (the webhook outbox) commits or rolls back with the assignment.
 */
export interface AssignmentListener {
  recordAssignments(manager: EntityManager, assignments: LeadAssignment[], at: Date): Promise<unknown>;
}
