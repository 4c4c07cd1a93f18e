import type { Metadata } from 'next';
import { Suspense } from 'react';
import { BacktestPage } from '@/features/backtests/backtest-page';

export const metadata: Metadata = { title: 'Backtest' };

export default async function Page({ params }: { params: Promise<{ key: string; versionId: string }> }) {
  const { key, versionId } = await params;
  return (
    <Suspense>
      <BacktestPage ruleSetKey={key} versionId={versionId} />
    </Suspense>
  );
}
