import DataLoader from 'dataloader';
import type { LeadEntity } from './lead.entity';
import type { LeadService } from './lead.service';

declare module '../graphql/context' {
  interface RequestLoaders {
    lead: DataLoader<string, LeadEntity | null>;
  }
}

/** A request's lead loaders. */
export function leadLoaders(leads: LeadService) {
  return {
    lead: new DataLoader<string, LeadEntity | null>(async (ids) => {
      const found = new Map((await leads.findByIds(ids)).map((lead) => [lead.id, lead]));
      return ids.map((id) => found.get(id) ?? null);
    }),
  };
}
