import type { Metadata } from 'next';
import { VersionEditor } from '@/features/editor/version-editor';

export const metadata: Metadata = { title: 'Rule set editor' };

export default async function Page({ params }: { params: Promise<{ key: string; versionId: string }> }) {
  const { versionId } = await params;
  return <VersionEditor versionId={versionId} />;
}
