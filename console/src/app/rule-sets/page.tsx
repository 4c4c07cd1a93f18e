import type { Metadata } from 'next';
import { RuleSetsList } from '@/features/rule-sets/rule-sets-list';

export const metadata: Metadata = { title: 'Rule sets' };

export default function RuleSetsPage() {
  return <RuleSetsList />;
}
