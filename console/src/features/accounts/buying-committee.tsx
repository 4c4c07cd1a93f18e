import Link from 'next/link';
import { leadIdentity } from '@/lib/attribute-labels';

const SHOWN = 3;

interface Contact {
  id: string;
  email?: string | null;
  externalId: string;
  attributes: Record<string, unknown>;
  score?: { total: number; cell: string } | null;
}

/** The best scored few contacts of an account, each with its cell: who to talk to first. */
export function BuyingCommittee({ contacts, total }: { contacts: readonly Contact[]; total: number }) {
  const top = [...contacts].sort((a, b) => (b.score?.total ?? -Infinity) - (a.score?.total ?? -Infinity)).slice(0, SHOWN);
  if (top.length === 0) return <span className="muted">no contact</span>;
  return (
    <ul className="committee" data-testid="buying-committee" style={{ listStyle: 'none', margin: 0, padding: 0 }}>
      {top.map((contact) => (
        <li key={contact.id}>
          <Link href={`/leads/${contact.id}`}>{leadIdentity(contact).name}</Link>{' '}
          {contact.score && <span className="cell-tag">{contact.score.cell}</span>}
        </li>
      ))}
      {total > top.length && <li className="muted">and {total - top.length} more</li>}
    </ul>
  );
}
