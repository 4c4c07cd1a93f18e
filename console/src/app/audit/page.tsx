import type { Metadata } from 'next';
import { AuditLogPage } from '@/features/admin/audit-log';

export const metadata: Metadata = { title: 'Audit log' };

export default function Page() {
  return <AuditLogPage />;
}
