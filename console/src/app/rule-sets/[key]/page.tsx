import type { Metadata } from 'next';
import { RuleSetPage } from '@/features/rule-sets/rule-set-page';

export async function generateMetadata({ params }: { params: Promise<{ key: string }> }): Promise<Metadata> {
  return { title: `Rule set ${(await params).key}` };
}

export default async function Page({ params }: { params: Promise<{ key: string }> }) {
  const { key } = await params;
  return <RuleSetPage ruleSetKey={key} />;
}
