import DataLoader from 'dataloader';
import type { OwnerRow, OwnerService } from './owner.service';

declare module '../graphql/context' {
  interface RequestLoaders {
    /** A lead's owner by lead id (null without one). */
    leadOwner: DataLoader<string, OwnerRow | null>;
  }
}

/** A request's owner loaders: a page of leads asks for its owners in one query. */
export function ownerLoaders(owners: OwnerService) {
  return {
    leadOwner: new DataLoader<string, OwnerRow | null>(async (leadIds) => {
      const found = await owners.ownersOfLeads(leadIds);
      return leadIds.map((id) => found.get(id) ?? null);
    }),
  };
}
