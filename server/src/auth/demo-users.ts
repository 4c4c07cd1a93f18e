import type { Role } from './principal';

export const DEMO_PASSWORD = 'demo-password';
export const DEMO_USERS: ReadonlyArray<{ email: string; name: string; role: Role }> = [
  { email: 'admin@demo.local', name: 'Ada Admin', role: 'admin' },
  { email: 'marketing@demo.local', name: 'Mia Marketing', role: 'marketing' },
  // A second marketer, so the rule that an author cannot approve their own change can be shown.
  { email: 'marketing2@demo.local', name: 'Max Marketing', role: 'marketing' },
  { email: 'sales@demo.local', name: 'Sam Sales', role: 'sales' },
  { email: 'viewer@demo.local', name: 'Vic Viewer', role: 'viewer' },
];

export interface DemoUser {
  email: string;
  name: string;
  role: Role;
  password: string;
}
