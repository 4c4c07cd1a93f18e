import { redirect } from 'next/navigation';
import { serverSession } from '@/lib/server-session';
import { homeOf } from '@/lib/session';

/** Start page: authors and admins land on rule sets, sales and viewers on their leads. */
export default async function HomePage() {
  const session = await serverSession();
  redirect(session.kind === 'user' ? homeOf(session.user.role) : '/sign-in');
}
