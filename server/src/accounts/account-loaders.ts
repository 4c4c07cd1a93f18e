import DataLoader from 'dataloader';
import type { AccountEntity } from './account.entity';
import type { AccountService } from './account.service';

declare module '../graphql/context' {
  interface RequestLoaders {
    account: DataLoader<string, AccountEntity | null>;
    /** By lead id: the lead's account (null without one). */
    accountOfLead: DataLoader<string, AccountEntity | null>;
    /** By account id: how many leads belong to it. */
    contactCount: DataLoader<string, number>;
  }
}

/** A request's account loaders: a page of leads or accounts costs one query per field, not one per row. */
export function accountLoaders(accounts: AccountService) {
  return {
    account: new DataLoader<string, AccountEntity | null>(async (ids) => {
      const found = new Map((await accounts.findByIds(ids)).map((account) => [account.id, account]));
      return ids.map((id) => found.get(id) ?? null);
    }),
    accountOfLead: new DataLoader<string, AccountEntity | null>(async (leadIds) => {
      const found = await accounts.accountsOfLeads(leadIds);
      return leadIds.map((id) => found.get(id) ?? null);
    }),
    contactCount: new DataLoader<string, number>(async (ids) => {
      const counts = await accounts.contactCounts(ids);
      return ids.map((id) => counts.get(id) ?? 0);
    }),
  };
}
