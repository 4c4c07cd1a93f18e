import Link from 'next/link';
import type { AccountQuery as AccountQueryResult } from '@/gql/graphql';
import { signed } from '@/lib/format';

type Reason = NonNullable<AccountQueryResult['account']>['scores'][number]['reasons'][number];

/** Why an account scores what it does: each reason with the contacts behind it, linked to their lead pages. */
export function AccountReasons({ reasons, total }: { reasons: readonly Reason[]; total: number }) {
  if (reasons.length === 0) return <p className="muted">No rule gave points.</p>;
  return (
    <table data-testid="account-reasons">
      <thead>
        <tr>
          <th scope="col">Reason</th>
          <th scope="col">Contacts behind it</th>
          <th scope="col" className="num">
            Points
          </th>
        </tr>
      </thead>
      <tbody>
        {reasons.map((reason) => (
          <tr key={reason.rule}>
            <td>
              {reason.label}
              <div className="muted small">{reason.dimension.toLowerCase()}</div>
            </td>
            <td className="small">
              {reason.contacts.length === 0 ? (
                <span className="muted">—</span>
              ) : (
                reason.contacts.map((contact, index) => (
                  <span key={contact.leadId}>
                    {index > 0 && ', '}
                    <Link href={`/leads/${contact.leadId}`}>{contact.label}</Link>
                  </span>
                ))
              )}
            </td>
            <td className={`num ${reason.points >= 0 ? 'points-pos' : 'points-neg'}`}>{signed(reason.points)}</td>
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr>
          <th scope="row" colSpan={2}>
            Total
          </th>
          <td className="num">
            <strong>{total}</strong>
          </td>
        </tr>
      </tfoot>
    </table>
  );
}
