import type { Metadata } from 'next';
import { ReviewPage } from '@/features/review/review-page';

export const metadata: Metadata = { title: 'Review and publish' };

export default async function Page({ params }: { params: Promise<{ key: string; versionId: string }> }) {
  const { key, versionId } = await params;
  return <ReviewPage ruleSetKey={key} versionId={versionId} />;
}
